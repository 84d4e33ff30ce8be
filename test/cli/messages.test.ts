/**
 * What `ima` says when something goes wrong, and in which language: the
 * cause first (the SDK's precise message in the command line's flags, or
 * the CLI's own sentence for a missing file, an unknown task, a busy port,
 * nothing listening), the service's failure reason without --verbose,
 * --language zh on every line, the global flags on every command, the
 * skills' log file, and `ima serve`'s environment lines and leniencies.
 * Spawned against a local server (`progression: 'polls'`, 2 ms polls).
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { prepareIma, type ImaProcess } from './ima-process.js'
import { cleanEnv, startIma, type Run } from './run-ima.js'

const SECRET = 'ima_messages_test_key_0123456789abcdef'
const SLOW = 30_000
/** Words the English lines use and the Chinese ones must not. */
const ENGLISH_LINE = /\b(Task|Done|usually|pts|Error|Next|Saved|Interrupted|Resume)\b/

let imaProcess: ImaProcess
let server: ImaServer
let home: string

function ima(args: string[], env: NodeJS.ProcessEnv = cleanEnv(home), cwd?: string): Promise<Run> {
  return startIma(imaProcess, args, env, cwd).done
}

/** The flags that point a run at the local server. */
function local(): string[] {
  return ['--api-key', SECRET, '--base-url', server.url, '--upload-base-url', server.uploadURL, '--poll-interval', '2']
}

/** A port nothing listens on: bound by the system, then released. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** `YYYYMMDD` of the local date `daysBack` days ago, as the skills name their log files. */
function dayStamp(daysBack: number): string {
  const date = new Date(Date.now() - daysBack * 86_400_000)
  return `${date.getFullYear()}${String(date.getMonth() + 1).padStart(2, '0')}${String(date.getDate()).padStart(2, '0')}`
}

beforeAll(async () => {
  imaProcess = await prepareIma()
  server = await startImaServer({ progression: 'polls', apiKeys: { [SECRET]: 100_000 } })
  home = await mkdtemp(join(tmpdir(), 'ima-cli-messages-'))
}, 60_000)

afterAll(async () => {
  await server?.close()
  await imaProcess?.remove()
})

describe.concurrent('messages that name the cause', () => {
  it('a ratio the model lacks lists that model’s real ratios; a valid ratio is not blamed', async () => {
    const [midjourney, seedream, pro, bothGiven] = await Promise.all([
      ima(['generate', 'a fox', '--model', 'MJ', '--ratio', '16:9', ...local()]),
      ima(['generate', 'a fox', '--model', 'SeeDream', '--ratio', '5:4', ...local()]),
      ima(['generate', 'a fox', '--model', 'NB Pro', '--ratio', '21:9', ...local()]),
      ima(['generate', 'a fox', '--model', 'SeeDream', '--size', '2K', '--ratio', '16:9', ...local()]),
    ])
    for (const run of [midjourney, seedream, pro, bothGiven]) {
      expect(run.code).toBe(1)
      expect(run.stdout).toBe('')
      // The chat table's fixed list, wrong for most models, is never the headline.
      expect(run.stderr).not.toContain('Use supported ratios')
    }
    expect(midjourney.stderr).toMatch(/^Error: Midjourney makes 1:1 images only; the nearest is 1:1/m)
    expect(seedream.stderr).toMatch(/^Error: SeeDream 4\.5 does not offer aspect ratio 5:4 \(it offers 1:1, 16:9, 9:16, 4:3, 3:4, 2:3, 3:2, 21:9\); the nearest is 4:3$/m)
    expect(pro.stderr).toMatch(/^Error: Nano Banana Pro does not offer aspect ratio 21:9 \(it offers 1:1, 16:9, 9:16, 4:3, 3:4\); the nearest is 16:9; SeeDream 4\.5 offers 21:9$/m)
    // 16:9 is one of SeeDream's ratios: the trouble is giving a size too, in generate's flags.
    expect(bothGiven.stderr).toMatch(/^Error: SeeDream 4\.5 sets size from --ratio: pass either --size or --ratio, not both$/m)
    expect(bothGiven.stderr).not.toMatch(/it offers|nearest/)
  }, SLOW)

  it("a size the model lacks lists the model's sizes; the reference flags are named as the reference script has them", async () => {
    const [midjourney, huge, version, bothGiven] = await Promise.all([
      ima(['generate', 'a fox', '--model', 'MJ', '--size', '4K', ...local()]),
      ima(['generate', 'a fox', '--model', 'NB2', '--size', '8K', ...local()]),
      ima(['--prompt', 'a fox', '--model-id', 'NB2', '--version-id', 'v0', ...local()]),
      ima(['--prompt', 'a fox', '--model-id', 'SeeDream', '--size', '2K', '--extra-params', '{"aspect_ratio":"16:9"}', ...local()]),
    ])
    expect(midjourney.stderr).toMatch(/^Error: Midjourney does not offer size 4K; choose one of 480p, 720p$/m)
    expect(huge.stderr).toMatch(/^Error: No model makes 8K images: 4K is the most .*Ask for --size 4K/m)
    expect(version.stderr).toMatch(/has no version "v0"; its versions are .*\(leave --version-id out for the newest\)$/m)
    expect(bothGiven.stderr).toContain('pass either --size or --extra-params aspect_ratio, not both')
    for (const run of [midjourney, huge, version, bothGiven]) {
      expect(run.code).toBe(1)
      expect(run.stderr).not.toMatch(/\b(versionId|aspectRatio|inputImages|maxCredits)\b/)
    }
  }, SLOW)

  it('an input file that is missing, empty or not an image, or an empty value, says so and names it as typed', async () => {
    await writeFile(join(home, 'notes.png'), 'just some text, not a picture\n')
    await writeFile(join(home, 'blank.png'), '')
    const [missing, missingReference, notImage, emptyFile, emptyValue] = await Promise.all([
      ima(['generate', 'as ink', '--image', 'no-such-photo.png', ...local()], cleanEnv(home), home),
      ima(['--prompt', 'as ink', '--input-images', 'https://example.com/a.png', 'gone.jpg', ...local()], cleanEnv(home), home),
      ima(['generate', 'as ink', '--image', 'notes.png', ...local()], cleanEnv(home), home),
      ima(['--prompt', 'as ink', '--input-images', 'blank.png', ...local()], cleanEnv(home), home),
      // An unset shell variable (`--image "$PHOTO"`): an empty value, not an empty file.
      ima(['generate', 'as ink', '--image', '', ...local()], cleanEnv(home), home),
    ])
    for (const run of [missing, missingReference, notImage, emptyFile, emptyValue]) {
      expect(run.code).toBe(1)
      expect(run.stderr).not.toContain('Describe the picture again')
    }
    expect(missing.stderr).toMatch(/^Error: File not found: no-such-photo\.png$/m)
    expect(missing.stderr).toMatch(/^Next: Check the path given to --image/m)
    expect(missingReference.stderr).toMatch(/^Error: File not found: gone\.jpg$/m)
    expect(missingReference.stderr).toMatch(/^Next: Check the path given to --input-images/m)
    expect(notImage.stderr).toMatch(/^Error: notes\.png is not an image: its first bytes are not those of a JPEG, PNG/m)
    expect(emptyFile.stderr).toMatch(/^Error: blank\.png is empty: not an image$/m)
    expect(emptyValue.stderr).toMatch(/^Error: --image was given an empty value$/m)
    expect(emptyValue.stderr).toMatch(/^Next: Give --image the path of an image file or an https URL$/m)
  }, SLOW)

  it('ima wait with a refused key: the key advice, not "resume with" the command that failed', async () => {
    const run = await ima(['wait', 'task_0000key', ...local(), '--api-key', 'ima_not_the_right_key_0123456789'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^Error: .*API key is invalid or unauthorized/m)
    expect(run.stderr).toMatch(/^Next: .*IMA_API_KEY|^Next: .*--api-key/m)
    expect(run.stderr).not.toMatch(/may be charged|Resume with/)
    expect(run.stderr).toMatch(/^Task: task_0000key — once the key works: ima wait task_0000key$/m)
  }, SLOW)

  it('ima wait with an id the service does not know: unknown to the service, not "may be charged"', async () => {
    const run = await ima(['wait', 'task_0000nope', ...local()])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^Error: The task id task_0000nope is unknown to the service$/m)
    expect(run.stderr).toContain('`ima tasks`')
    expect(run.stderr).not.toMatch(/may be charged|Resume with/)
    expect(run.stderr).toMatch(/^Reference: code 404 \(NotFoundError\)$/m)
  }, SLOW)

  // A journal that cannot be used said "Image generation encountered an issue … pick another model", with no path and no cause.
  it('a task journal that cannot be written or read is named with its cause, not "try another model"', async () => {
    const blocker = join(home, 'journal-blocker')
    await writeFile(blocker, 'a file where a folder should be')
    const generate = await ima(['generate', 'a fox behind a blocked journal', ...local(), '--journal', join(blocker, 'ima_tasks.jsonl')])
    expect(generate.code).toBe(1)
    expect(generate.stderr).toMatch(/^Error: The task journal could not be written \(.*(ENOTDIR|EEXIST).*\)\. Nothing was sent or charged$/m)
    expect(generate.stderr).toMatch(/^Next: Check the file's and its folder's permissions and the free disk space, or point --journal \(IMA_JOURNAL_PATH\) to another file$/m)
    expect(generate.stderr).not.toMatch(/another model|encountered an issue/)
    // The tests of this block run at once: only creates of this prompt count.
    expect(server.requests.filter((request) => request.path === '/open/v1/tasks/create' && JSON.stringify(request.body).includes('a fox behind a blocked journal'))).toEqual([])
    const folder = join(home, 'journal-is-a-folder')
    await mkdir(folder)
    const tasks = await ima(['tasks', '--journal', folder])
    expect(tasks.code).toBe(1)
    expect(tasks.stderr).toMatch(/^Error: Cannot use a file on this machine: EISDIR: illegal operation on a directory, read$/m)
    expect(tasks.stderr).toMatch(/^Next: Check the file's and its folder's permissions .* --journal \(IMA_JOURNAL_PATH\)$/m)
    expect(tasks.stderr).not.toMatch(/another model|encountered an issue/)
    const zh = await ima(['generate', 'a fox', ...local(), '--language', 'zh', '--journal', join(blocker, 'ima_tasks.jsonl')])
    expect(zh.stderr).toMatch(/任务日志无法读写：.*什么都没有发出，也没有扣积分/)
  }, SLOW)

  it('nothing listening on loopback: is `ima serve` running? — and --verbose shows the cause, not only "fetch failed"', async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const [plain, verbose] = await Promise.all([
      ima(['generate', 'a fox', '--api-key', SECRET, '--base-url', url]),
      ima(['models', '--api-key', SECRET, '--base-url', url, '--verbose']),
    ])
    for (const run of [plain, verbose]) {
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`Error: Nothing is listening at ${url} — is \`ima serve\` running?`)
      expect(run.stderr).not.toContain('Network connection unstable')
    }
    expect(plain.stderr).not.toContain('Technical:')
    expect(verbose.stderr).toMatch(new RegExp(`^Technical: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`, 'm'))
    expect(verbose.stderr + verbose.stdout).not.toContain(SECRET)
  }, SLOW)

  it("the service's failure reason is shown without --verbose", async () => {
    const run = await ima(['generate', 'a wreck [fail]', '--model', 'NB2', ...local()])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^Error: Task task_\w+ failed on the service: The image could not be generated \(simulated failure\)$/m)
    expect(run.stderr).not.toContain('Technical:')
  }, SLOW)

  it('ima quote over --max-credits prints the quote, then exits 1 saying so', async () => {
    const [over, within] = await Promise.all([
      ima(['quote', '--model', 'NB Pro', '--size', '4K', '--max-credits', '5', ...local()]),
      ima(['quote', '--model', 'NB Pro', '--size', '4K', '--max-credits', '18', '--json', ...local()]),
    ])
    expect(over.code).toBe(1)
    expect(over.stdout).toContain('18 pts')
    expect(over.stderr).toMatch(/^Error: This picture costs 18 pts, over --max-credits 5$/m)
    expect(within.code, within.stderr).toBe(0)
    expect(JSON.parse(within.stdout)).toMatchObject({ total_credit: 18, within_budget: true })
  }, SLOW)
})

describe('ratios in other terms', () => {
  it('7:3 is 21:9: accepted where 21:9 is, and sent as 21:9', async () => {
    const before = server.tasks.length
    const reduced = await ima(['generate', 'a valley', '--model', 'SeeDream', '--ratio', '7:3', '--json', ...local()])
    expect(reduced.code, reduced.stderr).toBe(0)
    const canonical = await ima(['--prompt', 'a valley', '--model-id', 'SeeDream', '--extra-params', '{"aspect_ratio":"21:9"}', '--output-json', ...local()])
    expect(canonical.code, canonical.stderr).toBe(0)
    const [first, second] = server.tasks.slice(before)
    expect(first?.body).toEqual(second?.body)
  }, SLOW)
})

describe('serve', () => {
  it('refuses a busy port and a host that is not loopback, each with its reason', async () => {
    const port = Number(new URL(server.url).port)
    const [busy, network] = await Promise.all([ima(['serve', '--port', String(port)]), ima(['serve', '--host', '0.0.0.0'])])
    expect(busy.code).toBe(1)
    expect(busy.stderr).toMatch(new RegExp(`^Error: Port ${port} is in use$`, 'm'))
    expect(network.code).toBe(2)
    expect(network.stderr).toMatch(/^Error: --host 0\.0\.0\.0 is not this machine: ima serve listens on loopback only$/m)
    expect(network.stdout).toBe('')
  }, SLOW)

  it('prints the environment a second shell pastes, which works as it is, and each leniency as it happens', async () => {
    const { child, run, done } = startIma(imaProcess, ['serve', '--task-duration', '200'], cleanEnv(home))
    await expect.poll(() => run.stderr, { timeout: 20_000, interval: 20 }).toContain('Ctrl-C to stop.')
    const exported = /^ {2}export (IMA_BASE_URL=.+)$/m.exec(run.stdout)?.[1] ?? ''
    const variables = Object.fromEntries(exported.split(' ').map((pair) => pair.split('=') as [string, string]))
    const url = /^Local IMA server: (\S+)$/m.exec(run.stdout)?.[1]
    expect(Object.keys(variables)).toEqual(['IMA_BASE_URL', 'IMA_IM_BASE_URL', 'IMA_API_KEY', 'IMA_POLL_INTERVAL_MS'])
    expect(variables.IMA_BASE_URL).toBe(url)
    expect(run.stdout).toMatch(new RegExp(`^Poll interval: +${variables.IMA_POLL_INTERVAL_MS} ms$`, 'm'))

    // Those variables alone: the default waits finish fast against this server.
    const generated = await ima(['generate', 'a lighthouse', '--model', 'NB2'], cleanEnv(home, variables))
    expect(generated.code, generated.stderr).toBe(0)
    expect(generated.stderr).toMatch(/^Nano Banana2 · success · /m)

    // A product list asked in a language the server does not know is answered in English, and said.
    const answer = await fetch(`${url}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, {
      headers: { authorization: `Bearer ${variables.IMA_API_KEY}`, 'x-app-source': 'ima_skills', x_app_language: 'ja' },
    })
    expect(answer.status).toBe(200)
    await expect.poll(() => run.stderr, { timeout: 5_000, interval: 20 }).toMatch(/^Leniency: x_app_language "ja" .*\(language-fallback · header x_app_language · \/open\/v1\/product\/list\)$/m)
    child.kill('SIGTERM')
    const ended = await done
    expect(ended.code).toBe(0)
    expect(ended.stderr).toMatch(/^1 leniency in all/m)
    expect(ended.stderr).toMatch(/Stopped\.\n$/)
  }, SLOW)

  it('--json: the same fields as one JSON line, then each leniency as a JSON line', async () => {
    const { child, run, done } = startIma(imaProcess, ['serve', '--json', '--api-key', SECRET], cleanEnv(home))
    await expect.poll(() => run.stderr, { timeout: 20_000, interval: 20 }).toContain('Ctrl-C to stop.')
    const first = JSON.parse(run.stdout.split('\n')[0] ?? '') as { url: string; upload_url: string; api_key: string; poll_interval_ms: number; env: Record<string, string> }
    expect(first.api_key).toBe(SECRET)
    expect(first.poll_interval_ms).toBeGreaterThan(0)
    expect(first.env).toEqual({ IMA_BASE_URL: first.url, IMA_IM_BASE_URL: first.upload_url, IMA_API_KEY: SECRET, IMA_POLL_INTERVAL_MS: String(first.poll_interval_ms) })
    await fetch(`${first.url}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, {
      headers: { authorization: `Bearer ${SECRET}`, 'x-app-source': 'ima_skills', x_app_language: 'fr' },
    })
    await expect.poll(() => run.stdout.trim().split('\n').length, { timeout: 5_000, interval: 20 }).toBe(2)
    expect(JSON.parse(run.stdout.trim().split('\n')[1] ?? '')).toMatchObject({ warning: { code: 'language-fallback', field: 'header x_app_language' } })
    child.kill('SIGTERM')
    expect((await done).code).toBe(0)
  }, SLOW)
})

describe('serve --strict', () => {
  // `startImaServer({ strict: true })` had no command-line form: a script in another process could only watch the leniency lines.
  it('refuses with 400 what the service leniently accepts, and records no leniency', async () => {
    const { child, run, done } = startIma(imaProcess, ['serve', '--json', '--strict', '--api-key', SECRET], cleanEnv(home))
    await expect.poll(() => run.stderr, { timeout: 20_000, interval: 20 }).toContain('Ctrl-C to stop.')
    const first = JSON.parse(run.stdout.split('\n')[0] ?? '') as { url: string }
    const answer = await fetch(`${first.url}/open/v1/product/list?app=ima&platform=web&category=text_to_image`, {
      headers: { authorization: `Bearer ${SECRET}`, 'x-app-source': 'ima_skills', x_app_language: 'ja' },
    })
    const body = (await answer.json()) as { code: number; message: string }
    expect(body.code).toBe(400)
    expect(body.message).toMatch(/^x_app_language header must be en or zh/)
    child.kill('SIGTERM')
    const ended = await done
    expect(ended.code).toBe(0)
    // Refused, not taken: no leniency line follows the first.
    expect(ended.stdout.trim().split('\n')).toHaveLength(1)
  }, SLOW)
})

describe('serve --cors', () => {
  it("answers a browser's preflight, and its answers allow any origin", async () => {
    const { child, run, done } = startIma(imaProcess, ['serve', '--json', '--cors', '--api-key', SECRET], cleanEnv(home))
    await expect.poll(() => run.stderr, { timeout: 20_000, interval: 20 }).toContain('Ctrl-C to stop.')
    const first = JSON.parse(run.stdout.split('\n')[0] ?? '') as { url: string }
    const list = `${first.url}/open/v1/product/list?app=ima&platform=web&category=text_to_image`
    const asked = await fetch(list, { method: 'OPTIONS', headers: { origin: 'http://app.localhost', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } })
    expect([asked.status, asked.headers.get('access-control-allow-headers')]).toEqual([204, 'authorization'])
    const answer = await fetch(list, { headers: { origin: 'http://app.localhost', authorization: `Bearer ${SECRET}`, 'x-app-source': 'ima_skills' } })
    expect([answer.status, answer.headers.get('access-control-allow-origin')]).toEqual([200, '*'])
    child.kill('SIGTERM')
    expect((await done).code).toBe(0)
  }, SLOW)
})

describe('--language zh and the global flags', () => {
  it('every line of a generation, models, quote, prefs and tasks is in Chinese', async () => {
    const zhHome = await mkdtemp(join(tmpdir(), 'ima-cli-zh-'))
    const env = cleanEnv(zhHome)
    const generated = await ima(['generate', '一只猫', '--model', 'NB2', '--language', 'zh', ...local()], env)
    expect(generated.code, generated.stderr).toBe(0)
    const lines = generated.stderr.trim().split('\n')
    expect(lines[0]).toMatch(/^任务 task_\w+ 已创建：Nano Banana2 · 1K · 6 积分 · 通常 20–40 秒$/)
    for (const status of ['排队中', '生成中', '完成']) expect(lines.some((line) => line.startsWith(`Nano Banana2 · ${status} · `))).toBe(true)
    expect(lines.at(-1)).toMatch(/^完成，用时 \d+ 秒：Nano Banana2 · 6 积分 · 任务 task_\w+$/)

    const [models, quote, prefs, cleared, tasks, overBudget] = await Promise.all([
      ima(['models', '--task-type', 'text_to_image', '--language', 'zh', ...local()], env),
      ima(['quote', '--model', 'MJ', '--language', 'zh', ...local()], env),
      // The global flags are accepted by every command, before or after its name.
      ima(['--language', 'zh', 'prefs', 'get', '--verbose', ...local()], env),
      ima(['prefs', 'clear', '--language', 'zh', '--user-id', 'nobody', ...local()], env),
      ima(['tasks', '--language', 'zh', ...local()], env),
      ima(['quote', '--model', 'MJ', '--max-credits', '1', '--language', 'zh', ...local()], env),
    ])
    for (const run of [models, quote, prefs, cleared, tasks]) expect(run.code, run.stderr).toBe(0)
    expect(models.stdout).toMatch(/^名称 +模型 id +版本 +尺寸（积分） +比例 +用时$/m)
    expect(models.stdout).toMatch(/Midjourney +midjourney +v6 +480p 8 积分, 720p 10 积分 +1:1 +40–90 秒/)
    expect(quote.stdout).toMatch(/^Midjourney（midjourney，版本 v6） 480p：8 积分 · 规则 \d+ · 通常 40–90 秒$/m)
    expect(prefs.stdout).toMatch(/^任务类型 +模型 +模型 id +积分 +上次使用$/m)
    expect(cleared.stderr).toMatch(/^已清除 /m)
    expect(tasks.stdout).toMatch(/^时间 +状态 +任务 +模型 +尺寸 +积分 +备注$/m)
    expect(overBudget.code).toBe(1)
    expect(overBudget.stderr).toMatch(/^错误: 这张图需要 8 积分，超过了 --max-credits 1$/m)
    for (const run of [generated, models, quote, prefs, cleared, tasks, overBudget]) {
      for (const line of (run.stdout + run.stderr).split('\n')) expect(line).not.toMatch(ENGLISH_LINE)
    }
  }, SLOW)

  it('Ctrl-C and errors in Chinese', async () => {
    const { child, run, done } = startIma(imaProcess, ['generate', '城堡 [never]', '--language', 'zh', ...local()], cleanEnv(home))
    await expect.poll(() => run.stderr, { timeout: 10_000, interval: 10 }).toContain('生成中')
    child.kill('SIGINT')
    const ended = await done
    expect(ended.code).toBe(130)
    const id = /任务 (task_\w+) 已创建/.exec(ended.stderr)?.[1]
    expect(ended.stderr).toContain(`已中断。任务 ${id} 仍在服务端运行`)
    expect(ended.stderr).toContain(`建议: 继续等待：ima wait ${id}`)

    const missing = await ima(['generate', '猫', '--image', 'missing.png', '--language', 'zh', ...local()], cleanEnv(home), home)
    expect(missing.stderr).toMatch(/^错误: 找不到文件：missing\.png$/m)
    const ratio = await ima(['generate', '猫', '--model', 'MJ', '--ratio', '16:9', '--language', 'zh', ...local()])
    expect(ratio.stderr).toMatch(/^错误: 比例与所选模型不符$/m)
    // The SDK's precise message follows, in its own words, with the flags.
    expect(ratio.stderr).toMatch(/^详情: Midjourney makes 1:1 images only/m)
  }, SLOW)
})

describe("the skills' log file", () => {
  it('~/.openclaw/logs/ima_skills/ima_create_YYYYMMDD.log: lines of the run, files older than 7 days removed, never the key', async () => {
    const logHome = await mkdtemp(join(tmpdir(), 'ima-cli-log-'))
    const folder = join(logHome, '.openclaw', 'logs', 'ima_skills')
    await mkdir(folder, { recursive: true })
    for (const back of [8, 6]) await writeFile(join(folder, `ima_create_${dayStamp(back)}.log`), '{}\n')
    const run = await ima(['generate', 'a secret garden', '--model', 'NB2', ...local()], cleanEnv(logHome))
    expect(run.code, run.stderr).toBe(0)
    expect((await readdir(folder)).sort()).toEqual([`ima_create_${dayStamp(6)}.log`, `ima_create_${dayStamp(0)}.log`].sort())
    const text = await readFile(join(folder, `ima_create_${dayStamp(0)}.log`), 'utf8')
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; level: string; command?: string; exitCode?: number })
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['ima task created', 'ima task status', 'ima command done']))
    expect(lines.at(-1)).toMatchObject({ msg: 'ima command done', command: 'ima generate', exitCode: 0 })
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain('secret garden')

    // A failure is logged with its class; a command that calls nothing writes nothing.
    const failed = await ima(['generate', 'a fox', '--model', 'MJ', '--size', '4K', ...local()], cleanEnv(logHome))
    expect(failed.code).toBe(1)
    const after = (await readFile(join(folder, `ima_create_${dayStamp(0)}.log`), 'utf8')).trim().split('\n')
    expect(JSON.parse(after.at(-1) ?? '')).toMatchObject({ level: 'warn', msg: 'ima command failed', command: 'ima generate', exitCode: 1, error: { name: 'ValidationError' } })
    const quietHome = await mkdtemp(join(tmpdir(), 'ima-cli-nolog-'))
    const [help, prefs] = await Promise.all([ima(['--help'], cleanEnv(quietHome)), ima(['prefs', 'get'], cleanEnv(quietHome))])
    expect([help.code, prefs.code]).toEqual([0, 0])
    expect(existsSync(join(quietHome, '.openclaw', 'logs'))).toBe(false)
  }, SLOW)
})
