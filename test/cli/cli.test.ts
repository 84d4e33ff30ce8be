/**
 * The `ima` command (ima-process.ts), spawned as users and skills run it, against a local
 * IMA server started here (`progression: 'polls'` and a 2 ms poll interval,
 * so nothing waits real seconds).
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, existsSync, openSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImaClient } from 'ima-open-sdk/node'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { prepareIma, type ImaProcess } from './ima-process.js'

const REFERENCE_KEYS = ['task_id', 'url', 'cover_url', 'model_id', 'model_name', 'credit']
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m

let imaProcess: ImaProcess
let server: ImaServer
let dir: string

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The environment of a run: none of the caller's IMA_* variables, a private HOME, prefs file and task journal. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('IMA_')) env[name] = value
  return { ...env, HOME: dir, USERPROFILE: dir, IMA_PREFS_FILE: join(dir, 'prefs.json'), IMA_JOURNAL_PATH: join(dir, 'ima_tasks.jsonl'), NO_COLOR: '1', ...extra }
}

/** The flags that point a run at the local server. */
function local(): string[] {
  return ['--base-url', server.url, '--upload-base-url', server.uploadURL, '--poll-interval', '2']
}

function start(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), cwd?: string) {
  const child = spawn(process.execPath, [...imaProcess.nodeArgs, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const run: Run = { code: null, signal: null, stdout: '', stderr: '' }
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk))
  const done = new Promise<Run>((resolveRun) =>
    child.on('close', (code, signal) => {
      run.code = code
      run.signal = signal
      resolveRun(run)
    }),
  )
  return { child, run, done }
}

function ima(args: string[], env?: NodeJS.ProcessEnv, cwd?: string): Promise<Run> {
  return start(args, env, cwd).done
}

/** What an agent does with the output: the last JSON object on stdout. */
function lastJsonObject(stdout: string): Record<string, unknown> {
  for (let index = stdout.lastIndexOf('{'); index >= 0; index = stdout.lastIndexOf('{', index - 1)) {
    try {
      const value: unknown = JSON.parse(stdout.slice(index))
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
    } catch {
      // Not the start of the last object yet: keep looking further back.
    }
  }
  throw new Error(`no JSON object in stdout: ${JSON.stringify(stdout)}`)
}

/** A PNG the server's sniffer accepts: the signature and an IHDR chunk. */
function tinyPng(): Buffer {
  return Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077 53de'.replace(/\s/g, ''), 'hex')
}

// Bundling the CLI takes a few seconds on a busy machine.
beforeAll(async () => {
  imaProcess = await prepareIma()
  server = await startImaServer({ progression: 'polls' })
  dir = await mkdtemp(join(tmpdir(), 'ima-cli-'))
}, 60_000)

afterAll(async () => {
  await server?.close()
  await imaProcess?.remove()
})

describe('the reference flags', () => {
  it('--list-models prints the live models, as a table or with --output-json as JSON', async () => {
    const table = await ima(['--api-key', server.apiKey, '--task-type', 'text_to_image', '--list-models', ...local()])
    expect(table.code).toBe(0)
    for (const id of ['doubao-seedream-4.5', 'gemini-3.1-flash-image', 'gemini-3-pro-image', 'midjourney']) expect(table.stdout).toContain(id)
    expect(table.stdout).toMatch(/Nano Banana Pro\s+gemini-3-pro-image\s+gemini-3-pro-image-preview\s+1K 10 pts, 2K 10 pts, 4K 18 pts/)

    const json = await ima(['--api-key', server.apiKey, '--task-type', 'image_to_image', '--list-models', '--output-json', ...local()])
    const models = JSON.parse(json.stdout) as { model_id: string; task_type: string }[]
    expect(models.map((model) => model.model_id)).toContain('gemini-3-pro-image')
    expect(new Set(models.map((model) => model.task_type))).toEqual(new Set(['image_to_image']))
  })

  it('takes every generation flag and prints exactly the reference JSON as the last thing on stdout', async () => {
    const before = server.tasks.length
    const run = await ima([
      '--api-key', server.apiKey,
      '--task-type', 'text_to_image',
      '--model-id', 'gemini-3-pro-image',
      '--version-id', 'gemini-3-pro-image-preview',
      '--prompt', 'a red fox in the snow',
      '--size', '2K',
      '--extra-params', '{"aspect_ratio":"16:9","seed":42}',
      '--language', 'zh',
      '--user-id', 'u-flags',
      '--output-json',
      ...local(),
    ])
    expect(run.stderr).not.toMatch(STACK_LINE)
    expect(run.code).toBe(0)
    const result = lastJsonObject(run.stdout)
    expect(Object.keys(result)).toEqual(REFERENCE_KEYS)
    // Nothing else on stdout: one line, the object.
    expect(run.stdout.trim().split('\n')).toEqual([JSON.stringify(result)])

    const task = server.tasks[before]!
    expect(result).toMatchObject({ task_id: task.id, model_id: 'gemini-3-pro-image', model_name: 'Nano Banana Pro', credit: 10 })
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\.png$/)
    expect(task.modelVersion).toBe('gemini-3-pro-image-preview')
    expect(task.parameters).toMatchObject({ size: '2K', aspect_ratio: '16:9', seed: 42, prompt: 'a red fox in the snow' })
    // --language: the product labels' language header.
    const create = server.requests.filter((request) => request.path === '/open/v1/tasks/create').at(-1)!
    expect(create.headers.x_app_language).toBe('zh')
    // --user-id: the preference is saved in the skills' file format.
    const prefs = JSON.parse(await readFile(join(dir, 'prefs.json'), 'utf8')) as Record<string, Record<string, Record<string, unknown>>>
    expect(prefs['user_u-flags']?.text_to_image).toMatchObject({ model_id: 'gemini-3-pro-image', model_name: 'Nano Banana Pro', credit: 10 })
  })

  it('reads the key from IMA_API_KEY and the saved model of --user-id when --model-id is left out', async () => {
    const before = server.tasks.length
    const run = await ima(['--prompt', 'a castle', '--user-id', 'u-flags', '--output-json', ...local()], cleanEnv({ IMA_API_KEY: server.apiKey }))
    expect(run.code).toBe(0)
    expect(lastJsonObject(run.stdout)).toMatchObject({ model_id: 'gemini-3-pro-image' })
    expect(server.tasks[before]?.taskType).toBe('text_to_image')
  })

  it('uploads local --input-images (several values per flag, flag repeated) and passes URLs through', async () => {
    const first = join(dir, 'cat.png')
    const second = join(dir, 'dog.png')
    await writeFile(first, tinyPng())
    await writeFile(second, Buffer.concat([tinyPng(), Buffer.from([1, 2, 3])]))
    const uploads = server.uploads.length
    const before = server.tasks.length
    const run = await ima([
      '--api-key', server.apiKey,
      '--task-type', 'image_to_image',
      '--prompt', 'as a watercolour',
      '--input-images', first, 'https://example.com/photo.jpg',
      '--input-images', second,
      '--output-json',
      ...local(),
    ])
    expect(run.stderr).not.toMatch(STACK_LINE)
    expect(run.code).toBe(0)
    const task = server.tasks[before]!
    expect(task.taskType).toBe('image_to_image')
    expect(server.uploads.length - uploads).toBe(2)
    const [cat, dog] = server.uploads.slice(uploads)
    expect(task.inputImages).toHaveLength(3)
    expect(task.inputImages[1]).toBe('https://example.com/photo.jpg')
    expect(new Set([task.inputImages[0], task.inputImages[2]])).toEqual(new Set([cat!.fdl, dog!.fdl]))
    expect((task.body as { src_img_url: string[] }).src_img_url).toEqual(task.inputImages)
    expect(Object.keys(lastJsonObject(run.stdout))).toEqual(REFERENCE_KEYS)
  })
})

// Independent of the server's task list, so they run side by side.
describe.concurrent('failures', () => {
  it('bad --extra-params: exit 1, a clear message, nothing on stdout', async () => {
    const runs = await Promise.all(
      ['{"aspect_ratio": 16:9}', '["16:9"]'].map((bad) => ima(['--api-key', server.apiKey, '--prompt', 'a fox', '--extra-params', bad, '--output-json', ...local()])),
    )
    for (const run of runs) {
      expect(run.code).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(/--extra-params (is not valid JSON|must be a JSON object)/)
      expect(run.stderr).toContain(`--extra-params '{"aspect_ratio":"16:9"}'`)
      expect(run.stderr).not.toMatch(STACK_LINE)
    }
    const zero = await ima(['--api-key', server.apiKey, '--prompt', 'a fox', '--extra-params', '{"n":0}', '--output-json', ...local()])
    expect(zero.code).toBe(1)
    expect(zero.stderr).toContain('Error: --extra-params n must be a whole number of at least 1 (the number of images, each charged), got 0')
  })

  it('no key: exit 1 naming IMA_API_KEY, before any request', async () => {
    // Port 9 refuses connections: a request would end in a network error, not in this message.
    const run = await ima(['--task-type', 'text_to_image', '--prompt', 'a fox', '--output-json', '--base-url', 'http://127.0.0.1:9'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('IMA_API_KEY')
    expect(run.stderr).not.toMatch(/network/i)
    expect(run.stdout).toBe('')
  })

  it('an unknown model: exit 1, the SDK\'s message with close matches first', async () => {
    const run = await ima(['--api-key', server.apiKey, '--prompt', 'a fox', '--model-id', 'nano bananna pro', ...local()])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^Error: Unknown model "nano bananna pro": did you mean Nano Banana Pro \(gemini-3-pro-image\)/m)
    expect(run.stderr).toContain('ima models')
  })

  it('a refused key: the plain sentence and the code, and never the key, even with --verbose', async () => {
    const secret = 'ima_not_a_key_0123456789abcdef'
    const run = await ima(['--api-key', secret, '--prompt', 'a fox', '--verbose', ...local()])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('API key is invalid or unauthorized')
    expect(run.stderr).toMatch(/Reference: code 401/)
    expect(run.stderr).toMatch(/Technical: AuthenticationError/)
    expect(run.stderr + run.stdout).not.toContain(secret)
    expect(run.stderr + run.stdout).not.toContain(secret.slice(0, 12))
  })

  it('a wrong command line: exit 2', async () => {
    const [typo, command, value] = await Promise.all([
      ima(['--api-key', server.apiKey, '--promt', 'a fox', ...local()]),
      ima(['generat', 'a fox']),
      ima(['--task-type', 'video', '--prompt', 'x']),
    ])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('Unknown option --promt')
    expect(command.code).toBe(2)
    expect(command.stderr).toContain('Unknown command generat')
    expect(value.code).toBe(2)
  })

  // An unset shell variable (`--model "$MODEL"`) passes "": read as no model, it paid for the default one.
  it('an empty value for a model, size, ratio, version or extra-params flag is a usage error, and nothing is created', async () => {
    const probe = 'an empty-value probe'
    const runs = await Promise.all([
      ima(['generate', probe, '--model', '', '--api-key', server.apiKey, ...local()]),
      ima(['generate', probe, '--size=', '--api-key', server.apiKey, ...local()]),
      ima(['generate', probe, '--ratio', ' ', '--api-key', server.apiKey, ...local()]),
      ima(['--api-key', server.apiKey, ...local(), '--prompt', probe, '--model-id=']),
      ima(['--api-key', server.apiKey, ...local(), '--prompt', probe, '--version-id', '']),
      ima(['--api-key', server.apiKey, ...local(), '--prompt', probe, '--extra-params', '']),
    ])
    for (const run of runs) {
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('got an empty one (an unset shell variable?): leave the flag out for the default')
    }
    expect(server.requests.filter((request) => JSON.stringify(request.body ?? '').includes(probe))).toEqual([])
  })

  // The result of a paid task that could not be written is lost: the exit code must say so.
  it.runIf(existsSync('/dev/full'))('a result that cannot be written to stdout (a full disk) exits 1, not 0', async () => {
    const full = openSync('/dev/full', 'w')
    try {
      const child = spawn(process.execPath, [...imaProcess.nodeArgs, '--api-key', server.apiKey, ...local(), '--prompt', 'a full-disk probe', '--model-id', 'NB2', '--output-json'], {
        env: cleanEnv(),
        stdio: ['ignore', full, 'pipe'],
      })
      const [code] = (await once(child, 'close')) as [number | null]
      expect(code).toBe(1)
    } finally {
      closeSync(full)
    }
  }, 30_000)

  it('an image flag followed by another flag is a usage error, not an image named after the flag', async () => {
    const probe = 'an image-flag probe'
    const [reference, generate] = await Promise.all([
      ima(['--api-key', server.apiKey, ...local(), '--prompt', probe, '--input-images', '--output-json']),
      ima(['generate', probe, '--image', '--json', '--api-key', server.apiKey, ...local()]),
    ])
    expect(reference.code).toBe(2)
    expect(reference.stderr).toContain('Expected an image path or URL, got the flag --output-json')
    expect(generate.code).toBe(2)
    expect(generate.stderr).toContain('Expected an image path or URL, got the flag --json')
    // Other tests of this block run at the same time: only this one's prompt tells its requests apart.
    expect(server.requests.filter((request) => JSON.stringify(request.body ?? '').includes(probe))).toEqual([])
  })
})

// commander's parsing, as users meet it.
describe('the command line', () => {
  it('takes options before the command name, and refuses one the command does not take', async () => {
    const [before, foreign, misplaced] = await Promise.all([
      ima(['--api-key', server.apiKey, ...local(), '--quiet', 'generate', 'a', 'fox', '--model', 'NB2', '--json']),
      ima(['--prompt', 'a fox', 'generate', 'a fox', '--api-key', server.apiKey, ...local()]),
      ima(['--json', 'models', '--api-key', server.apiKey, ...local()]),
    ])
    expect(before.code, before.stderr).toBe(0)
    expect(lastJsonObject(before.stdout)).toMatchObject({ model_id: 'gemini-3.1-flash-image' })
    // --quiet, given before the name, reached generate.
    expect(before.stderr).not.toMatch(/processing/)
    expect(foreign.code).toBe(2)
    expect(foreign.stderr).toContain('--prompt is not an option of ima generate')
    expect(misplaced.code).toBe(2)
    expect(misplaced.stderr).toContain('Unknown option --json')
    expect(misplaced.stderr).toContain('put it after the command name (ima models')

    // Through a command group too: `ima prefs set`.
    const set = await ima(['--user-id', 'u-leading', 'prefs', 'set', 'MJ', '--api-key', server.apiKey, ...local()])
    expect(set.code, set.stderr).toBe(0)
    expect(JSON.parse((await ima(['prefs', 'get', '--user-id', 'u-leading', '--json'])).stdout)).toMatchObject({ text_to_image: { model_id: 'midjourney' } })
  })

  it('collects every value of --image and --input-images, and ends the options at --', async () => {
    const before = server.tasks.length
    const generated = await ima([
      'generate', '--image', 'https://example.com/a.jpg', 'a', 'red', 'fox', '--image=https://example.com/b.jpg',
      '--model', 'NB Pro', '--api-key', server.apiKey, ...local(), '--', '--json',
    ])
    expect(generated.code, generated.stderr).toBe(0)
    // --json after -- is a word of the prompt: the URL is printed, not JSON.
    expect(generated.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\S+\.png$/)
    const task = server.tasks[before]!
    expect(task.taskType).toBe('image_to_image')
    expect(task.inputImages).toEqual(['https://example.com/a.jpg', 'https://example.com/b.jpg'])
    expect(task.parameters).toMatchObject({ prompt: 'a red fox --json' })

    const reference = await ima([
      '--api-key', server.apiKey, '--prompt', 'as ink', '--model-id', 'gemini-3-pro-image',
      '--input-images', 'https://example.com/1.jpg', 'https://example.com/2.jpg', '--output-json', '--input-images=https://example.com/3.jpg',
      ...local(),
    ])
    expect(reference.code, reference.stderr).toBe(0)
    const created = server.tasks.find((candidate) => candidate.id === lastJsonObject(reference.stdout).task_id)
    expect(created?.inputImages).toEqual(['https://example.com/1.jpg', 'https://example.com/2.jpg', 'https://example.com/3.jpg'])
  })
})

describe.concurrent('usage errors (exit 2)', () => {
  it('an unknown option, named, on any command; a close one is suggested', async () => {
    const [root, command, close] = await Promise.all([
      ima(['--prompt', 'a fox', '--output-jsn']),
      ima(['tasks', '--colour', 'red']),
      ima(['generate', 'a fox', '--modle', 'NB2']),
    ])
    for (const run of [root, command, close]) expect(run.code).toBe(2)
    expect(root.stderr).toContain('Unknown option --output-jsn')
    expect(root.stderr).toContain('Did you mean --output-json?')
    expect(command.stderr).toContain('Unknown option --colour')
    expect(close.stderr).toContain('Unknown option --modle')
    expect(close.stderr).toContain('Did you mean --model?')
  })

  it('a mistyped command gets a did-you-mean', async () => {
    const [top, nested] = await Promise.all([ima(['generat', 'a fox']), ima(['prefs', 'gett'])])
    expect(top.code).toBe(2)
    expect(top.stderr).toContain('Unknown command generat')
    expect(top.stderr).toContain('Did you mean generate?')
    expect(nested.code).toBe(2)
    expect(nested.stderr).toContain('Unknown command gett')
    expect(nested.stderr).toContain('Did you mean get?')
  })

  // It printed the whole help and exited 2 without a word on what was wrong.
  it('ima help of an unknown command says so, with a did-you-mean; of a known one, its help', async () => {
    const [unknown, close, known] = await Promise.all([ima(['help', 'nope']), ima(['help', 'genrate']), ima(['help', 'models'])])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^Error: Unknown command nope$/m)
    expect(unknown.stderr).not.toContain('Commands:')
    expect(close.stderr).toContain('Did you mean generate?')
    expect(known.code).toBe(0)
    expect(known.stdout).toContain('Usage: ima models')
  })

  it('a value outside the choices, naming the allowed ones', async () => {
    const [taskType, models, language, serve] = await Promise.all([
      ima(['--task-type', 'video', '--prompt', 'x']),
      ima(['models', '--task-type', 'video']),
      ima(['--prompt', 'x', '--language', 'fr']),
      ima(['serve', '--progression', 'fast']),
    ])
    for (const run of [taskType, models, language, serve]) {
      expect(run.code).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).not.toMatch(STACK_LINE)
    }
    expect(taskType.stderr).toMatch(/--task-type.*'video'.*text_to_image, image_to_image/)
    expect(models.stderr).toMatch(/--task-type.*'video'.*text_to_image, image_to_image/)
    expect(language.stderr).toMatch(/--language.*'fr'.*en, zh/)
    expect(serve.stderr).toMatch(/--progression.*'fast'.*time, polls/)
  })

  it('a flag without its value, or a number that is not one, named', async () => {
    const [image, inputImages, n] = await Promise.all([
      ima(['generate', 'a fox', '--image']),
      ima(['--prompt', 'x', '--input-images']),
      ima(['generate', 'a fox', '--n', 'two']),
    ])
    for (const run of [image, inputImages, n]) expect(run.code).toBe(2)
    expect(image.stderr).toContain('--image')
    expect(inputImages.stderr).toContain('--input-images')
    expect(n.stderr).toMatch(/--n .*'two'.*whole number/)
  })
})

describe('a person at a terminal', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s mid-wait: exit 130, the task id to resume, no stack trace', async (signal) => {
    const { child, run, done } = start(['generate', 'a castle [never]', '--api-key', server.apiKey, ...local()])
    await expect.poll(() => run.stderr, { timeout: 5_000, interval: 10 }).toMatch(/processing/)
    child.kill(signal)
    const ended = await done
    expect(ended.code).toBe(130)
    const id = /Task (task_\w+) created/.exec(ended.stderr)?.[1]
    expect(id).toBeDefined()
    expect(ended.stderr).toContain(`ima wait ${id}`)
    expect(ended.stderr).not.toMatch(STACK_LINE)
    expect(ended.stdout).toBe('')
  })

  it('progress without a TTY: plain lines on stderr, one per status, no carriage returns', async () => {
    const run = await ima(['generate', 'a', 'lighthouse', '--model', 'NB2', '--api-key', server.apiKey, ...local()])
    expect(run.code).toBe(0)
    expect(run.stderr).not.toContain('\r')
    const lines = run.stderr.split('\n')
    expect(lines.find((line) => /^Task task_\w+ created: Nano Banana2 · 1K · 6 pts · usually 20–40 s$/.test(line))).toBeDefined()
    for (const status of ['pending', 'processing', 'success']) {
      expect(lines.some((line) => new RegExp(`^Nano Banana2 · ${status} · \\d+ s · \\d+% · usually 20–40 s$`).test(line))).toBe(true)
    }
    expect(run.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\S+\.png$/)
  })

  it('generate --out saves the picture under a name from the prompt and task id; wait --json resumes by id', async () => {
    const [run, bare] = await Promise.all([
      ima(['generate', 'A Fox, at dusk!', '--ratio', '16:9', '--out', `${dir}/`, '--api-key', server.apiKey, ...local()]),
      // A bare --out (followed by another flag) means the default name in the current folder.
      ima(['generate', '一只猫', '--out', '--json', '--api-key', server.apiKey, ...local()], cleanEnv(), dir),
    ])
    expect(run.code).toBe(0)
    const path = run.stdout.trim()
    expect(path).toMatch(/\/a-fox-at-dusk-task-[0-9a-f]+\.png$/)
    expect((await readFile(path)).subarray(0, 8)).toEqual(tinyPng().subarray(0, 8))
    const saved = lastJsonObject(bare.stdout)
    expect(saved.path).toBe(join(dir, `image-${String(saved.task_id).replace(/_/g, '-')}.png`))
    expect(existsSync(saved.path as string)).toBe(true)

    const client = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
    const task = await client.tasks.create({ model: 'midjourney', prompt: 'a tower' })
    const waited = await ima(['wait', task.id, '--json', '--api-key', server.apiKey, ...local()])
    expect(waited.code).toBe(0)
    // Created elsewhere, not in this machine's journal: the model and cost are not known here.
    expect(lastJsonObject(waited.stdout)).toMatchObject({ task_id: task.id, model_id: null, model_name: null, credit: null })
  })

  it('generate --n 2 delivers both paid images: two files, two lines, every url and path in --json', async () => {
    const folder = join(dir, 'two')
    const [json, plain] = await Promise.all([
      ima(['generate', 'twin foxes', '--n', '2', '--model', 'NB2', '--out', `${folder}/`, '--json', '--quiet', '--api-key', server.apiKey, ...local()]),
      ima(['generate', 'twin owls', '--n', '2', '--model', 'NB2', '--out', join(dir, 'owl.png'), '--quiet', '--api-key', server.apiKey, ...local()]),
    ])
    expect(json.code, json.stderr).toBe(0)
    const printed = lastJsonObject(json.stdout) as { task_id: string; credit: number; urls: string[]; path: string; paths: string[] }
    expect(printed.credit).toBe(12)
    expect(printed.urls).toHaveLength(2)
    const id = printed.task_id.replace(/_/g, '-')
    expect(printed.paths).toEqual([join(folder, `twin-foxes-${id}-1.png`), join(folder, `twin-foxes-${id}-2.png`)])
    expect(printed.path).toBe(printed.paths[0])
    for (const path of printed.paths) expect((await readFile(path)).subarray(0, 8)).toEqual(tinyPng().subarray(0, 8))
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stdout.trim().split('\n')).toEqual([join(dir, 'owl.png'), join(dir, 'owl-2.png')])
    expect(existsSync(join(dir, 'owl-2.png'))).toBe(true)
  })

  it('models, quote and prefs', async () => {
    const [quote, models, set] = await Promise.all([
      ima(['quote', '--model', 'NB Pro', '--size', '4K', '--json', '--api-key', server.apiKey, ...local()]),
      ima(['models', '--task-type', 'text_to_image', '--api-key', server.apiKey, ...local()]),
      ima(['prefs', 'set', 'MJ', '--user-id', 'u-prefs', '--api-key', server.apiKey, ...local()]),
    ])
    expect(JSON.parse(quote.stdout)).toMatchObject({ model_id: 'gemini-3-pro-image', attribute_id: 2401, total_credit: 18 })
    expect(models.stdout).toMatch(/Midjourney\s+midjourney\s+v6\s+480p 8 pts, 720p 10 pts\s+1:1\s+40–90 s/)
    expect(set.code).toBe(0)
    const get = await ima(['prefs', 'get', '--user-id', 'u-prefs', '--json'])
    expect(JSON.parse(get.stdout)).toMatchObject({ text_to_image: { model_id: 'midjourney', credit: 8 } })
    await ima(['prefs', 'clear', '--user-id', 'u-prefs'])
    expect(JSON.parse((await ima(['prefs', 'get', '--user-id', 'u-prefs', '--json'])).stdout)).toEqual({})
  })

  it('--help lists the commands and --poll-interval, and leaves out the hidden --journal', async () => {
    const [root, generate] = await Promise.all([ima(['--help']), ima(['generate', '--help'])])
    expect(root.code).toBe(0)
    for (const command of ['generate', 'models', 'quote', 'wait', 'tasks', 'prefs', 'serve']) expect(root.stdout).toContain(command)
    expect(root.stdout).toContain('--output-json')
    for (const run of [root, generate]) {
      expect(run.stdout).toContain('--poll-interval <ms>')
      expect(run.stdout).not.toContain('--journal')
    }
  })
})

describe('the CLI and the SDK send the same create', () => {
  const scenarios: { name: string; cli: string[]; sdk: Parameters<ImaClient['generate']>[0] }[] = [
    {
      name: 'text to image with a ratio, a size and an extra parameter',
      cli: ['--task-type', 'text_to_image', '--model-id', 'gemini-3.1-flash-image', '--prompt', 'a lighthouse', '--size', '2K', '--extra-params', '{"aspect_ratio":"16:9","seed":7}'],
      sdk: { taskType: 'text_to_image', model: 'gemini-3.1-flash-image', prompt: 'a lighthouse', size: '2K', aspectRatio: '16:9', params: { seed: 7 } },
    },
    {
      name: "SeeDream's virtual ratio field",
      cli: ['--task-type', 'text_to_image', '--model-id', 'doubao-seedream-4.5', '--prompt', 'a valley', '--extra-params', '{"aspect_ratio":"21:9"}'],
      sdk: { taskType: 'text_to_image', model: 'doubao-seedream-4.5', prompt: 'a valley', aspectRatio: '21:9' },
    },
    {
      name: 'image to image from a URL',
      cli: ['--task-type', 'image_to_image', '--model-id', 'gemini-3-pro-image', '--prompt', 'as ink', '--input-images', 'https://example.com/a.jpg', 'https://example.com/b.jpg', '--size', '4K'],
      sdk: { taskType: 'image_to_image', model: 'gemini-3-pro-image', prompt: 'as ink', inputImages: ['https://example.com/a.jpg', 'https://example.com/b.jpg'], size: '4K' },
    },
  ]

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const cliAt = server.tasks.length
      const run = await ima(['--api-key', server.apiKey, '--user-id', 'same', '--output-json', ...scenario.cli, ...local()])
      expect(run.code).toBe(0)
      const sdk = new ImaClient({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL })
      const sdkAt = server.tasks.length
      await sdk.generate({ ...scenario.sdk, userId: 'same', intervalMs: 2 })
      expect(server.tasks[sdkAt]!.body).toEqual(server.tasks[cliAt]!.body)
    })
  }
})
