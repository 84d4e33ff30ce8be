/**
 * `ima batch` through the bundled `ima` (ima-process.ts), over real HTTP
 * against a local server whose tasks take half a second: a whole batch, an
 * interruption and its re-run (never a create twice), the terminal's bar
 * through a pseudo-terminal (`script`), the refusals before anything is
 * spent, CSV, and the journal's word on creates whose answer was lost.
 * Faults are server-wide, so the tests of this file run one after the
 * other; each counts the creates of its own prompts.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import lockfile from 'proper-lockfile'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { prepareIma, type ImaProcess } from './ima-process.js'
import { cleanEnv, startIma, type Run } from './run-ima.js'

/** Room for a loaded 2-core machine: each run takes a few seconds. */
const SLOW = 90_000
const CREATE = '/open/v1/tasks/create'
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m
const SCRIPT = '/usr/bin/script'

let imaProcess: ImaProcess
let server: ImaServer
let home: string
let counter = 0

interface Row {
  line: number
  key: string
  state: string
  task_id: string | null
  ref: string | null
  urls: string[]
  files: string[]
  credit: number | null
  error: string | null
}

beforeAll(async () => {
  imaProcess = await prepareIma()
  server = await startImaServer({ taskDurationMs: 500 })
  home = await mkdtemp(join(tmpdir(), 'ima-batch-'))
}, 60_000)

afterAll(async () => {
  await server?.close()
  await imaProcess?.remove()
  if (home) await rm(home, { recursive: true, force: true })
})

function env(): NodeJS.ProcessEnv {
  return cleanEnv(home, { IMA_POLL_INTERVAL_MS: '50', IMA_API_KEY: server.apiKey, IMA_BASE_URL: server.url, IMA_IM_BASE_URL: server.uploadURL })
}

/** A fresh folder and a tag no other test's prompts have. */
async function workspace(): Promise<{ dir: string; tag: string }> {
  counter += 1
  const dir = join(home, `work-${counter}`)
  await mkdir(dir, { recursive: true })
  return { dir, tag: `t${counter}x${Date.now().toString(36)}` }
}

function ima(args: string[], cwd: string): Promise<Run> {
  return startIma(imaProcess, args, env(), cwd).done
}

/** The creates the server received for prompts with this tag. */
function creates(tag: string): number {
  return server.requests.filter((request) => request.method === 'POST' && request.path === CREATE && JSON.stringify(request.body).includes(tag)).length
}

/** A JSONL file of `count` lines. */
async function jsonl(dir: string, tag: string, count: number, extra: Record<string, unknown> = {}): Promise<string> {
  const lines = Array.from({ length: count }, (_, index) => JSON.stringify({ prompt: `${tag} fox number ${index + 1}`, ...extra }))
  const path = join(dir, 'prompts.jsonl')
  await writeFile(path, `${lines.join('\n')}\n`)
  return path
}

/** The summary file's rows, as written. */
async function rows(path: string): Promise<Row[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row)
}

/** A PNG the server's sniffer accepts: the signature and an IHDR chunk. */
function tinyPng(): Buffer {
  return Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de', 'hex')
}

describe('ima batch', () => {
  it('makes 20 lines, 4 at a time: 20 files, 20 rows all done, exactly 20 creates', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 20)
    const run = await ima(['batch', file, '--concurrency', '4', '--yes', '--out', 'pictures'], dir)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).not.toMatch(STACK_LINE)
    expect(run.stderr).toContain('20 images to make, 100 credits in all; 0 already done')
    expect(run.stderr).toMatch(/^ {2}SeeDream 4\.5: 20 images, 100 credits$/m)
    // One line per item as it ends (stderr is a pipe here), numbered in the order they end.
    for (let index = 1; index <= 20; index += 1) expect(run.stderr).toMatch(new RegExp(`^\\[${index}/20\\] done task_\\w+ 5 credits → ${dir}/pictures/\\S+\\.png$`, 'm'))
    expect(run.stdout.trim()).toBe(`${file}.summary.jsonl`)

    const files = await readdir(join(dir, 'pictures'))
    expect(files).toHaveLength(20)
    const summary = await rows(`${file}.summary.jsonl`)
    expect(summary).toHaveLength(20)
    expect(summary.map((row) => row.line)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1))
    expect(summary.every((row) => row.state === 'done' && row.task_id !== null && row.ref !== null && row.urls.length === 1 && row.files.length === 1)).toBe(true)
    expect(new Set(summary.map((row) => row.task_id)).size).toBe(20)
    for (const row of summary) expect(existsSync(row.files[0] ?? '')).toBe(true)
    expect(creates(tag)).toBe(20)
  }, SLOW)

  it('Ctrl-C after 5 are done: exit 130; the same command again finishes the batch with exactly 20 creates in all', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 20)
    const args = ['batch', file, '--concurrency', '2', '--yes', '--out', 'pictures']
    const { child, run, done } = startIma(imaProcess, args, env(), dir)
    await expect.poll(() => /^\[5\/20\] done /m.test(run.stderr), { timeout: 60_000, interval: 10 }).toBe(true)
    child.kill('SIGINT')
    const first = await done
    expect(first.code, first.stderr).toBe(130)
    expect(first.stderr).not.toMatch(STACK_LINE)
    expect(first.stderr).toMatch(/^Interrupted: \d+ of 20 done/m)
    expect(first.stderr).toContain(`Resume with the same command: ima batch ${file} --concurrency 2 --yes --out pictures`)
    const stopped = await rows(`${file}.summary.jsonl`)
    // Compacted: one row per line, whatever was appended while it ran.
    expect(stopped).toHaveLength(20)
    const doneBefore = stopped.filter((row) => row.state === 'done')
    expect(doneBefore.length).toBeGreaterThanOrEqual(5)
    expect(doneBefore.length).toBeLessThan(20)
    // Those created and not finished keep their task ids; nothing is left "creating".
    expect(stopped.every((row) => ['done', 'pending'].includes(row.state))).toBe(true)
    const createdBefore = creates(tag)
    expect(stopped.filter((row) => row.task_id !== null)).toHaveLength(createdBefore)

    const second = await ima(args, dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(`already done`)
    const finished = await rows(`${file}.summary.jsonl`)
    expect(finished).toHaveLength(20)
    expect(finished.every((row) => row.state === 'done')).toBe(true)
    // The rows done before kept their tasks; those in flight were waited for, not created again.
    for (const row of stopped.filter((entry) => entry.task_id !== null)) expect(finished.find((entry) => entry.line === row.line)?.task_id).toBe(row.task_id)
    expect(new Set(finished.map((row) => row.task_id)).size).toBe(20)
    expect(creates(tag)).toBe(20)
    expect(await readdir(join(dir, 'pictures'))).toHaveLength(20)
  }, SLOW)

  it('Ctrl-C while a create is on its way: waits for its answer, records its task id, and the re-run does not create it again', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 3)
    server.injectFault({ path: CREATE, kind: 'delay', ms: 1_000 })
    const before = server.requests.length
    const { child, done } = startIma(imaProcess, ['batch', file, '--yes'], env(), dir)
    await expect.poll(() => server.requests.slice(before).some((request) => request.path === CREATE && request.status === 0), { timeout: 30_000, interval: 5 }).toBe(true)
    child.kill('SIGINT')
    const first = await done
    expect(first.code, first.stderr).toBe(130)
    expect(first.stderr).toContain('may have been created and charged')
    const late = /The answer arrived: task (task_\w+) was created/.exec(first.stderr)?.[1]
    expect(late).toBeDefined()
    const stopped = await rows(`${file}.summary.jsonl`)
    expect(stopped.find((row) => row.task_id === late)).toMatchObject({ state: 'pending', ref: expect.stringMatching(/^batch-/) })
    expect(creates(tag)).toBe(1)

    const second = await ima(['batch', file, '--yes'], dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain('1 line was created before and not finished: waited for, not created again')
    const finished = await rows(`${file}.summary.jsonl`)
    expect(finished.map((row) => row.state)).toEqual(['done', 'done', 'done'])
    expect(finished.find((row) => row.line === stopped.find((entry) => entry.task_id === late)?.line)?.task_id).toBe(late)
    expect(creates(tag)).toBe(3)
  }, SLOW)

  it.skipIf(!existsSync(SCRIPT))('draws a progress bar on a terminal (through a pseudo-terminal), failures above it', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 6)
    // Line 3 fails on the service: its line is printed above the bar.
    const lines = (await readFile(file, 'utf8')).split('\n')
    lines[2] = JSON.stringify({ prompt: `${tag} [fail] fox` })
    await writeFile(file, lines.join('\n'))
    const quoted = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`
    const command = [process.execPath, ...imaProcess.nodeArgs, 'batch', file, '--yes', '--concurrency', '3'].map(quoted).join(' ')
    const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], { cwd: dir, env: { ...env(), COLUMNS: '120', LINES: '40' }, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    const code = await new Promise<number | null>((resolveCode) => child.on('close', resolveCode))
    expect(code, output).toBe(1)
    // The bar's own pieces: the bar, the percentage, counts, running items, credits, and its redraws in place.
    expect(output).toMatch(/[█░]+ \d{1,3}% \d+\/6 \| done \d+, running \d+, failed [01] \| \d+ credits \| ETA (–|\d+s|\d+m\d\ds)/)
    expect(output).toMatch(/█+ 100% 6\/6 \| done 5, running 0, failed 1 \| 30 credits \| ETA 0s/)
    expect(output).toMatch(/running [1-3]/)
    expect(output).toContain('\u001B[0K')
    expect(output).toMatch(/\[\d\/6\] failed line 3 \(task_\w+\): /)
    // Not the plain lines of a pipe.
    expect(output).not.toMatch(/\[\d+\/6\] done task_/)
    expect((await rows(`${file}.summary.jsonl`)).map((row) => row.state)).toEqual(['done', 'done', 'failed', 'done', 'done', 'done'])
    expect(creates(tag)).toBe(6)
  }, SLOW)

  describe('before anything is spent', () => {
    it('refuses without --yes when stdin is not a terminal (exit 2), after printing the quote', async () => {
      const { dir, tag } = await workspace()
      const file = await jsonl(dir, tag, 3, { model: 'NB Pro', size: '4K' })
      const run = await ima(['batch', file], dir)
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toContain('3 images to make, 54 credits in all; 0 already done')
      expect(run.stderr).toMatch(/^ {2}Nano Banana Pro: 3 images, 54 credits$/m)
      expect(run.stderr).toMatch(/pass --yes/)
      expect(creates(tag)).toBe(0)
      expect(existsSync(`${file}.summary.jsonl`)).toBe(false)
    }, SLOW)

    it('refuses a batch over --max-credits (exit 1), naming both numbers', async () => {
      const { dir, tag } = await workspace()
      const file = await jsonl(dir, tag, 4)
      const run = await ima(['batch', file, '--max-credits', '12', '--yes'], dir)
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr).toContain('What is left to make costs 20 credits, over --max-credits 12')
      expect(creates(tag)).toBe(0)
    }, SLOW)

    it.each([
      ['no prompt', { model: 'NB2' }, /Line 3, prompt: is required/],
      ['n: 9', { prompt: 'too many', n: 9 }, /Line 3, n: must be a whole number from 1 to 4, got 9/],
      ['a bad ratio', { prompt: 'odd', ratio: 'wide' }, /Line 3, ratio: must look like 16:9, got wide/],
      ['image_to_image without inputs', { prompt: 'edit', task_type: 'image_to_image' }, /Line 3, inputs: image_to_image needs at least one input image/],
      ['a missing input file', { prompt: 'edit', inputs: ['missing.png'] }, /Line 3, inputs: file not found: missing\.png/],
      ['an unknown field', { prompt: 'x', sise: '2K' }, /Line 3, sise: is not a field/],
    ])('refuses a bad line (%s): exit 2 naming line 3, nothing created', async (_name, line, message) => {
      const { dir, tag } = await workspace()
      const file = join(dir, 'bad.jsonl')
      await writeFile(file, [JSON.stringify({ prompt: `${tag} one` }), '# a comment', JSON.stringify(line), '', JSON.stringify({ prompt: `${tag} four` })].join('\n'))
      const run = await ima(['batch', file, '--yes'], dir)
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toMatch(message)
      expect(run.stderr).toContain('nothing was quoted or created')
      expect(run.stderr).not.toMatch(STACK_LINE)
      expect(creates(tag)).toBe(0)
    }, SLOW)

    it('refuses a line the model cannot make (the quote): exit 2 naming the line', async () => {
      const { dir, tag } = await workspace()
      const file = join(dir, 'quote.jsonl')
      await writeFile(file, `${JSON.stringify({ prompt: `${tag} a` })}\n${JSON.stringify({ prompt: `${tag} b`, model: 'MJ', ratio: '16:9' })}\n`)
      const run = await ima(['batch', file, '--yes'], dir)
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toMatch(/^Error: Line 2, ratio: /m)
      expect(creates(tag)).toBe(0)
    }, SLOW)
  })

  it('reads CSV: a header, quoted cells, inputs separated by |, out names', async () => {
    const { dir, tag } = await workspace()
    await writeFile(join(dir, 'a.png'), tinyPng())
    await writeFile(join(dir, 'b.png'), tinyPng())
    const file = join(dir, 'jobs.csv')
    await writeFile(
      file,
      [
        'prompt,model,ratio,n,inputs,out',
        `"${tag} a fox, in the snow",NB2,16:9,,,fox.png`,
        '',
        `${tag} watercolour,,,,a.png|b.png,edit.png`,
        `"${tag} two ""castles""",,,2,,castle.png`,
      ].join('\r\n'),
    )
    const run = await ima(['batch', file, '--yes', '--out', 'out', '--json'], dir)
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout) as { total: number; done: number; items: Row[] }
    expect(result).toMatchObject({ total: 3, done: 3 })
    expect(result.items.map((row) => row.line)).toEqual([2, 4, 5])
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['castle-2.png', 'castle.png', 'edit.png', 'fox.png'])
    const tasks = server.tasks.filter((task) => task.prompt.includes(tag))
    expect(tasks).toHaveLength(3)
    expect(tasks.find((task) => task.prompt === `${tag} a fox, in the snow`)).toMatchObject({ modelId: 'gemini-3.1-flash-image' })
    expect(tasks.find((task) => task.prompt === `${tag} watercolour`)?.inputImages).toHaveLength(2)
    expect(tasks.find((task) => task.prompt === `${tag} two "castles"`)).toMatchObject({ n: 2 })
  }, SLOW)

  describe('the journal decides what a lost answer was', () => {
    it('a create whose answer was lost is "unknown" and never created again; a refused one is created again', async () => {
      const { dir, tag } = await workspace()
      const file = await jsonl(dir, tag, 3)
      // The first create is made and charged, then its connection drops; the second is refused (nothing created).
      server.injectFault({ path: CREATE, kind: 'reset-after' })
      server.injectFault({ path: CREATE, kind: 'status', status: 400, message: 'prompt refused' })
      const first = await ima(['batch', file, '--yes'], dir)
      expect(first.code, first.stderr).toBe(1)
      expect(first.stderr).toMatch(/^\[\d\/3\] unknown line 1: the create may have been charged \(ref batch-[\w-]+\)/m)
      expect(first.stderr).toMatch(/^\[\d\/3\] failed line 2: /m)
      const stopped = await rows(`${file}.summary.jsonl`)
      expect(stopped.map((row) => row.state)).toEqual(['unknown', 'failed', 'done'])
      expect(stopped[0]?.ref).toMatch(/^batch-/)
      expect(stopped[1]?.task_id).toBeNull()
      expect(creates(tag)).toBe(3)

      const second = await ima(['batch', file, '--yes'], dir)
      expect(second.code, second.stderr).toBe(1)
      expect(second.stderr).toContain('1 line may have been created before, with no task id known: not created again (`ima tasks --unknown` lists them)')
      expect(second.stderr).toContain(`line 1: ref ${stopped[0]?.ref ?? ''}`)
      const again = await rows(`${file}.summary.jsonl`)
      expect(again.map((row) => row.state)).toEqual(['unknown', 'done', 'done'])
      // Only the refused line was sent again.
      expect(creates(tag)).toBe(4)
    }, SLOW)

    it('a task that failed on the service keeps its id: the re-run waits for it, it does not create it again', async () => {
      const { dir, tag } = await workspace()
      const file = join(dir, 'fail.jsonl')
      await writeFile(file, `${JSON.stringify({ prompt: `${tag} [fail] fox` })}\n${JSON.stringify({ prompt: `${tag} fine fox` })}\n`)
      const first = await ima(['batch', file, '--yes'], dir)
      expect(first.code, first.stderr).toBe(1)
      const failed = (await rows(`${file}.summary.jsonl`))[0]
      expect(failed).toMatchObject({ state: 'failed', task_id: expect.stringMatching(/^task_/) })
      const second = await ima(['batch', file, '--yes'], dir)
      expect(second.code, second.stderr).toBe(1)
      expect(second.stderr).toContain('1 line was created before and not finished: waited for, not created again')
      expect((await rows(`${file}.summary.jsonl`))[0]).toMatchObject({ state: 'failed', task_id: failed?.task_id })
      expect(creates(tag)).toBe(2)
    }, SLOW)
  })

  it('--summary elsewhere, --quiet and --json: nothing on stderr, the summary object on stdout', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 2, { model: 'NB2' })
    const run = await ima(['batch', file, '--yes', '--quiet', '--json', '--summary', 'state/run.jsonl', '--timeout', '60'], dir)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toBe('')
    const result = JSON.parse(run.stdout) as Record<string, unknown> & { items: Row[] }
    expect(result).toMatchObject({ file, summary: join(dir, 'state/run.jsonl'), total: 2, done: 2, failed: 0, pending: 0, unknown: 0, credits_spent: 12, interrupted: false })
    expect(result.items.map((row) => row.state)).toEqual(['done', 'done'])
    expect(await rows(join(dir, 'state/run.jsonl'))).toEqual(result.items)
    expect(existsSync(`${file}.summary.jsonl`)).toBe(false)
  }, SLOW)

  it('a reader of its output that goes away (`2>&1 | head`) does not end the batch: every line is made and recorded, the lock freed', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 4, { model: 'NB2' })
    const started = startIma(imaProcess, ['batch', file, '--yes', '--concurrency', '2'], env(), dir)
    // The reading ends of both pipes close at once, before the first line is printed.
    started.child.stdout?.destroy()
    started.child.stderr?.destroy()
    const run = await started.done
    expect(run.code).toBe(0)
    const summary = await rows(`${file}.summary.jsonl`)
    expect(summary.map((row) => row.state)).toEqual(['done', 'done', 'done', 'done'])
    expect(creates(tag)).toBe(4)
    expect(existsSync(`${file}.summary.jsonl.lock`)).toBe(false)
  }, SLOW)

  it('a second run of a batch whose summary another run holds is refused, creates nothing, and its advice never costs a second charge', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 1, { model: 'NB2' })
    const release = await lockfile.lock(`${file}.summary.jsonl`, { realpath: false, stale: 15_000, update: 5_000 })
    try {
      const run = await ima(['batch', file, '--yes'], dir)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`Another ima batch is running with the summary ${file}.summary.jsonl`)
      // Waiting and the same command again is the way; a fresh summary is named for what it costs.
      expect(run.stderr).toMatch(/Wait for it to end, then run the same command again: it creates nothing twice\. Another --summary would start the batch afresh and pay for every line again/)
      expect(creates(tag)).toBe(0)
    } finally {
      await release()
    }
  }, SLOW)

  it('a changed line is a new item, and the note names the paid task of its earlier row, done or not', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 2, { model: 'NB2' })
    const first = await ima(['batch', file, '--yes'], dir)
    expect(first.code, first.stderr).toBe(0)
    const [, done] = await rows(`${file}.summary.jsonl`)
    expect(done).toMatchObject({ state: 'done' })
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n')
    await writeFile(file, `${lines[0]}\n${JSON.stringify({ prompt: `${tag} changed`, model: 'NB2' })}\n`)
    const second = await ima(['batch', file, '--yes'], dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(`Line 2 changed or went since the last run; its earlier row (done, task ${String(done?.task_id)}) is dropped from the summary — ima wait ${String(done?.task_id)} still finds it`)
    expect(creates(tag)).toBe(3)
  }, SLOW)

  it('keeps a moved line: a line inserted above does not make the others new items', async () => {
    const { dir, tag } = await workspace()
    const file = await jsonl(dir, tag, 2)
    const first = await ima(['batch', file, '--yes'], dir)
    expect(first.code, first.stderr).toBe(0)
    const text = await readFile(file, 'utf8')
    await writeFile(file, `# inserted comment\n${JSON.stringify({ prompt: `${tag} a new one` })}\n${text}`)
    const second = await ima(['batch', file, '--yes', '--json'], dir)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain('1 image to make, 5 credits in all; 2 already done')
    const result = JSON.parse(second.stdout) as { items: Row[] }
    expect(result.items.map((row) => [row.line, row.state])).toEqual([
      [2, 'done'],
      [3, 'done'],
      [4, 'done'],
    ])
    expect(creates(tag)).toBe(3)
  }, SLOW)
})
