/**
 * The task journal through the `ima` command (ima-process.ts): `ima tasks`, `ima wait
 * --all-pending`, Ctrl-C while a create is in flight, and the task id of
 * anything that fails after a create. Its own local server (faults are
 * server-wide) and its own temp folder, so HOME and the journal are never
 * the real ones; the tests of this file run one after the other.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
import { prepareIma, type ImaProcess } from './ima-process.js'

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m
const CREATE = '/open/v1/tasks/create'
const SLOW = 60_000

let imaProcess: ImaProcess
let server: ImaServer
let dir: string
let journal: string
let counter = 0

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

interface Entry {
  ref: string
  state: string
  taskId?: string
  model: { id: string; name: string }
  totalCredit: number
  detached?: boolean
  urls?: string[]
  error?: { name: string }
  createdAt: string
}

/** None of the caller's IMA_* variables; HOME, prefs and the journal in the temp folder. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('IMA_')) env[name] = value
  return { ...env, HOME: dir, USERPROFILE: dir, IMA_PREFS_FILE: join(dir, 'prefs.json'), IMA_JOURNAL_PATH: journal, NO_COLOR: '1', ...extra }
}

/** The flags that point a run at the local server, polling every 2 ms. */
function local(): string[] {
  return ['--api-key', server.apiKey, '--base-url', server.url, '--upload-base-url', server.uploadURL, '--poll-interval', '2']
}

function start(args: string[], env: NodeJS.ProcessEnv = cleanEnv()) {
  const child = spawn(process.execPath, [...imaProcess.nodeArgs, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const run: Run = { code: null, stdout: '', stderr: '' }
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk))
  const done = new Promise<Run>((resolveRun) =>
    child.on('close', (code) => {
      run.code = code
      resolveRun(run)
    }),
  )
  return { child, run, done }
}

function ima(args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return start(args, env).done
}

/** The journal as `ima tasks --json` prints it (newest first). */
async function journalEntries(...flags: string[]): Promise<Entry[]> {
  const run = await ima(['tasks', '--json', ...flags, '--base-url', server.url])
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as Entry[]
}

/** Resolves once the server has received a create that it has not answered yet. */
async function createInFlight(before: number): Promise<void> {
  await expect
    .poll(() => server.requests.slice(before).some((request) => request.path === CREATE && request.status === 0), { timeout: 10_000, interval: 5 })
    .toBe(true)
}

// Bundling the CLI takes a few seconds on a busy machine.
beforeAll(async () => {
  imaProcess = await prepareIma()
  server = await startImaServer({ progression: 'polls' })
  dir = await mkdtemp(join(tmpdir(), 'ima-cli-journal-'))
}, 60_000)

afterAll(async () => {
  await server?.close()
  await imaProcess?.remove()
})

beforeEach(() => {
  // A fresh journal per test: what each test lists is only what it ran.
  counter += 1
  journal = join(dir, `journal-${counter}`, 'ima_tasks.jsonl')
})

describe('ima tasks', () => {
  it('lists every create newest first, with --json, --limit, --pending and --unknown', async () => {
    const ok = await ima(['generate', 'a lighthouse', '--model', 'NB2', ...local()])
    expect(ok.code, ok.stderr).toBe(0)
    const okId = /Task (task_\w+) created/.exec(ok.stderr)?.[1]

    // The next create is processed (and charged) on the server, but its answer is lost.
    server.injectFault({ path: CREATE, kind: 'reset-after' })
    const lost = await ima(['generate', 'a castle', '--model', 'NB Pro', ...local()])
    expect(lost.code).toBe(1)
    expect(lost.stdout).toBe('')
    expect(lost.stderr).toContain('ima tasks --unknown')
    expect(lost.stderr).toMatch(/ref ima-[\w-]+/)
    expect(lost.stderr).toContain('may be charged')
    expect(lost.stderr).not.toMatch(STACK_LINE)

    const entries = await journalEntries()
    expect(entries.map((entry) => entry.state)).toEqual(['unknown', 'succeeded'])
    const [unknown, succeeded] = entries as [Entry, Entry]
    expect(succeeded).toMatchObject({ taskId: okId, model: { id: 'gemini-3.1-flash-image' }, totalCredit: 6 })
    expect(succeeded.urls?.[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\.png$/)
    expect(unknown.taskId).toBeUndefined()
    expect(unknown).toMatchObject({ model: { id: 'gemini-3-pro-image', name: 'Nano Banana Pro' }, totalCredit: 10 })
    expect(lost.stderr).toContain(unknown.ref)

    expect((await journalEntries('--limit', '1')).map((entry) => entry.ref)).toEqual([unknown.ref])
    expect((await journalEntries('--unknown')).map((entry) => entry.ref)).toEqual([unknown.ref])
    expect(await journalEntries('--pending')).toEqual([])

    const table = await ima(['tasks', '--base-url', server.url])
    expect(table.code).toBe(0)
    const lines = table.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^Time\s+State\s+Task\s+Model\s+Size\s+Points\s+Note$/)
    expect(lines[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+unknown\s+no id\s+Nano Banana Pro \(gemini-3-pro-image\)\s+1K\s+10 pts\s+ConnectionError/)
    expect(lines[3]).toMatch(new RegExp(`succeeded\\s+${okId}\\s+Nano Banana2 \\(gemini-3.1-flash-image\\)\\s+1K\\s+6 pts`))
    expect(lines).toHaveLength(4)
    // What to do about the unknown one: it may be charged; check with the time, model and ref.
    expect(table.stderr).toContain('may have been charged')
    expect(table.stderr).toContain('IMA site')
    expect(table.stderr).toContain(`ref ${unknown.ref}`)
    expect(table.stderr).toContain(unknown.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))

    const unknownOnly = await ima(['tasks', '--unknown'])
    expect(unknownOnly.stdout).toContain('no id')
    expect(unknownOnly.stdout).not.toContain('succeeded')
  }, SLOW)

  it('an empty journal, a bad --limit; no key needed', async () => {
    const empty = await ima(['tasks'])
    expect(empty.code).toBe(0)
    expect(empty.stdout).toBe('')
    expect(empty.stderr).toContain(`No tasks in the journal (${journal})`)
    expect((await ima(['tasks', '--json'])).stdout.trim()).toBe('[]')
    const bad = await ima(['tasks', '--limit', '0'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--limit')
  }, SLOW)

  it('--journal points the journal elsewhere, and --help does not show it', async () => {
    const elsewhere = join(dir, 'elsewhere', 'tasks.jsonl')
    const run = await ima(['generate', 'a boat', '--model', 'NB2', '--journal', elsewhere, ...local()])
    expect(run.code, run.stderr).toBe(0)
    expect(existsSync(elsewhere)).toBe(true)
    expect(existsSync(journal)).toBe(false)
    const listed = await ima(['tasks', '--json', '--journal', elsewhere])
    expect((JSON.parse(listed.stdout) as Entry[]).map((entry) => entry.state)).toEqual(['succeeded'])
    const help = await ima(['tasks', '--help'])
    for (const flag of ['--pending', '--unknown', '--json', '--limit']) expect(help.stdout).toContain(flag)
    expect(help.stdout).not.toContain('--journal')
  }, SLOW)
})

describe('ima wait --all-pending', () => {
  it('resumes the tasks a timed-out run left, saving them with --out, and exits 1 when one fails', async () => {
    // Polls every 5 s against a 1 s deadline: the first poll sees "pending", then the wait times out.
    const timedOut = await ima(['generate', 'a tower', '--model', 'NB2', '--timeout', '1', ...local(), '--poll-interval', '5000'])
    expect(timedOut.code).toBe(1)
    const id = /Task (task_\w+) created/.exec(timedOut.stderr)?.[1]
    expect(id).toBeDefined()
    expect(timedOut.stderr).toContain(`ima wait ${id}`)
    // The user's own --timeout ended the wait: not the model's fault, and another model would be a second payment.
    expect(timedOut.stderr).toMatch(/^Error: The task did not finish within the wait’s time limit \(--timeout\); it keeps running on the service$/m)
    expect(timedOut.stderr).not.toContain('faster model')

    const pending = await journalEntries('--pending')
    expect(pending.map((entry) => entry.taskId)).toEqual([id])
    const listed = await ima(['tasks', '--pending', '--base-url', server.url])
    expect(listed.stdout).toMatch(new RegExp(`created\\s+${id}`))
    expect(listed.stderr).toContain('ima wait --all-pending')

    const out = join(dir, 'resumed')
    const resumed = await ima(['wait', '--all-pending', '--out', out, ...local()])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stderr).toContain(`Resuming 1 pending task: ${id}`)
    const path = resumed.stdout.trim()
    expect(path).toBe(join(out, `task-${id!.replace(/_/g, '-')}.png`))
    expect((await readFile(path)).subarray(1, 4).toString()).toBe('PNG')
    expect(await journalEntries('--pending')).toEqual([])
    expect((await journalEntries())[0]).toMatchObject({ taskId: id, state: 'succeeded' })

    // One task by id, journaled here: --json has the model and cost, as ima generate's.
    const again = await ima(['generate', 'a gate', '--model', 'NB2', '--timeout', '1', ...local(), '--poll-interval', '5000'])
    const againId = /Task (task_\w+) created/.exec(again.stderr)?.[1]
    const byId = await ima(['wait', String(againId), '--json', ...local()])
    expect(byId.code, byId.stderr).toBe(0)
    expect(JSON.parse(byId.stdout)).toMatchObject({ task_id: againId, model_id: 'gemini-3.1-flash-image', model_name: 'Nano Banana2', credit: 6, urls: [expect.stringMatching(/\.png$/)] })

    // Nothing left: says so, exit 0; --json gives an empty array.
    const nothing = await ima(['wait', '--all-pending', '--json', ...local()])
    expect(nothing.code).toBe(0)
    expect(nothing.stdout.trim()).toBe('[]')

    // Two pending tasks, one of which fails on the service: one line each, exit 1.
    const [good, bad] = await Promise.all([
      ima(['generate', 'a bridge', '--model', 'NB2', '--timeout', '1', ...local(), '--poll-interval', '5000']),
      ima(['generate', 'a wreck [fail]', '--model', 'NB2', '--timeout', '1', ...local(), '--poll-interval', '5000']),
    ])
    const goodId = /Task (task_\w+) created/.exec(good.stderr)?.[1]
    const badId = /Task (task_\w+) created/.exec(bad.stderr)?.[1]
    const both = await ima(['wait', '--all-pending', '--json', ...local()])
    expect(both.code).toBe(1)
    const results = JSON.parse(both.stdout) as { task_id: string; url?: string; error?: { name: string } }[]
    expect(results.map((result) => result.task_id).sort()).toEqual([goodId, badId].sort())
    // What the journal knows, as `ima wait <id> --json` prints it: the model and its points.
    for (const result of results) expect(result).toMatchObject({ model_id: 'gemini-3.1-flash-image', model_name: 'Nano Banana2', credit: expect.any(Number) })
    expect(results.find((result) => result.task_id === goodId)?.url).toMatch(/\.png$/)
    expect(results.find((result) => result.task_id === badId)?.error?.name).toBe('TaskFailedError')
    expect(both.stderr).toContain(`Task ${badId}:`)
    expect(both.stderr).toContain('Some pending tasks did not finish')
    expect(await journalEntries('--pending')).toEqual([])
  }, SLOW)

  it('Ctrl-C while it waits exits 130 with the command that resumes, the tasks still pending', async () => {
    const timedOut = await ima(['generate', 'a slow tide [never]', '--model', 'NB2', '--timeout', '1', ...local(), '--poll-interval', '5000'])
    const id = /Task (task_\w+) created/.exec(timedOut.stderr)?.[1]
    expect(id).toBeDefined()
    const polls = () => server.requests.filter((request) => request.path === '/open/v1/tasks/detail').length
    const before = polls()
    const { child, done } = start(['wait', '--all-pending', ...local(), '--poll-interval', '5000'])
    await expect.poll(polls, { timeout: 10_000, interval: 5 }).toBeGreaterThan(before)
    child.kill('SIGINT')
    const ended = await done
    expect(ended.code).toBe(130)
    expect(ended.stderr).toContain('Interrupted. The pending tasks keep running on the service')
    expect(ended.stderr).toContain('ima wait --all-pending')
    expect(ended.stderr).not.toContain('Some pending tasks did not finish')
    expect((await journalEntries('--pending')).map((entry) => entry.taskId)).toContain(id)
  }, SLOW)

  // A 404 said "It is already paid for and may still arrive: ask for it again in a minute", for ever.
  it('a journaled task the service does not know: says so and how to find it, and keeps the entry', async () => {
    const ghostJournal = join(dir, 'ghost.jsonl')
    const now = new Date().toISOString()
    const ghost = {
      ref: 'ghost', state: 'created', taskId: 'task_0000doesnotexist', taskType: 'text_to_image',
      model: { id: 'gemini-3-pro-image', name: 'Nano Banana Pro', version: 'gemini-3-pro-image-preview' },
      attributeId: 2399, credit: 10, n: 1, totalCredit: 10, parameters: {}, baseURL: server.url, createdAt: now, updatedAt: now,
    }
    await writeFile(ghostJournal, `${JSON.stringify(ghost)}\n`)
    const run = await ima(['wait', '--all-pending', ...local()], cleanEnv({ IMA_JOURNAL_PATH: ghostJournal }))
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      'Task task_0000doesnotexist: the service does not know this task id with this API key and base URL (NotFoundError) — run again with the key and --base-url that created it',
    )
    expect(run.stderr).not.toMatch(/may still arrive|already paid/)
    expect((await readFile(ghostJournal, 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as Entry).state)).toEqual(['created'])
  }, SLOW)

  it('takes a task id or --all-pending, not both', async () => {
    const run = await ima(['wait', 'task_x', '--all-pending', ...local()])
    expect(run.code).toBe(2)
  }, SLOW)
})

describe('Ctrl-C while the create is in flight', () => {
  it('says the task may be charged, waits for the answer and records its late task id', async () => {
    server.injectFault({ path: CREATE, kind: 'delay', ms: 1_000 })
    const before = server.requests.length
    const { child, run, done } = start(['generate', 'a late fox', '--model', 'NB2', ...local()])
    await createInFlight(before)
    child.kill('SIGINT')
    const ended = await done
    expect(ended.code).toBe(130)
    expect(ended.stdout).toBe('')
    expect(ended.stderr).not.toMatch(STACK_LINE)
    expect(ended.stderr).not.toContain('Nothing to resume')
    expect(ended.stderr).toContain('may have been created and charged')
    expect(ended.stderr).toMatch(/Journal reference: ima-[\w-]+/)
    // The late answer is reported once, not as a new task to wait for.
    expect(ended.stderr).not.toMatch(/Task task_\w+ created:/)
    const late = /The answer arrived: task (task_\w+) was created/.exec(ended.stderr)?.[1]
    expect(late).toBeDefined()
    expect(server.tasks.at(-1)?.id).toBe(late)
    expect(run.stderr).toContain(`ima wait ${late}`)

    const [entry] = await journalEntries()
    expect(entry).toMatchObject({ state: 'created', taskId: late, detached: true })
    const table = await ima(['tasks', '--base-url', server.url])
    expect(table.stdout).toMatch(new RegExp(`created\\s+${late}\\s+.*detached`))

    // The late task is pending like any other: --all-pending finishes it.
    const resumed = await ima(['wait', '--all-pending', ...local()])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(resumed.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\S+\.png$/)
  }, SLOW)

  it('a second Ctrl-C exits at once; the create stays "unknown", listed by ima tasks --unknown', async () => {
    server.injectFault({ path: CREATE, kind: 'hang' })
    const before = server.requests.length
    const { child, run, done } = start(['generate', 'a lost fox', '--model', 'NB2', ...local()])
    await createInFlight(before)
    child.kill('SIGINT')
    await expect.poll(() => run.stderr, { timeout: 10_000, interval: 5 }).toContain('Ctrl-C again')
    child.kill('SIGINT')
    const ended = await done
    expect(ended.code).toBe(130)
    expect(ended.stderr).toContain('ima tasks --unknown')
    const [entry] = await journalEntries('--unknown')
    expect(entry).toMatchObject({ state: 'unknown', detached: true })
    expect(entry!.taskId).toBeUndefined()
    expect(ended.stderr).toContain(entry!.ref)
  }, SLOW)
})

describe('Ctrl-C before the create was sent', () => {
  it('says nothing was charged, and the journal holds nothing', async () => {
    server.injectFault({ path: '/open/v1/product/list', kind: 'hang' })
    const before = server.requests.length
    const { child, done } = start(['generate', 'an early fox', '--model', 'NB2', ...local()])
    await expect
      .poll(() => server.requests.slice(before).some((request) => request.path === '/open/v1/product/list' && request.status === 0), { timeout: 10_000, interval: 5 })
      .toBe(true)
    child.kill('SIGINT')
    const ended = await done
    server.clearFaults()
    expect(ended.code).toBe(130)
    expect(ended.stderr).toContain('nothing was charged')
    expect(ended.stderr).not.toContain('may have been')
    expect(await journalEntries()).toEqual([])
  }, SLOW)
})

describe('failures after the create name the task', () => {
  it('--quiet still prints the task id and how to resume when the wait fails', async () => {
    // Every poll fails: the wait gives up after its allowed failures in a row.
    server.injectFault({ path: '/open/v1/tasks/detail', kind: 'status', status: 503, retryAfter: '0', times: 50 })
    const run = await ima(['generate', 'a quiet fox', '--model', 'NB2', '--quiet', ...local()])
    server.clearFaults()
    expect(run.code).toBe(1)
    const taskId = server.tasks.at(-1)?.id
    expect(taskId).toMatch(/^task_/)
    expect(run.stderr).toContain(`Task: ${taskId} was created and may be charged`)
    expect(run.stderr).toContain(`ima wait ${taskId}`)
    expect(run.stderr).not.toMatch(/send your request again/i)
    expect(run.stderr).not.toMatch(STACK_LINE)
    // Not a verdict on the task: it stays pending in the journal, to resume.
    expect((await journalEntries('--pending')).map((entry) => entry.taskId)).toEqual([taskId])
  }, SLOW)

  it('a save that fails after a paid success says where the image is and that nothing needs re-creating', async () => {
    const blocker = join(dir, 'not-a-folder')
    await writeFile(blocker, 'a file, so nothing can be created under it')
    const run = await ima(['generate', 'a saved fox', '--model', 'NB2', '--out', join(blocker, 'sub', 'fox.png'), ...local()])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    const [entry] = await journalEntries()
    expect(entry).toMatchObject({ state: 'succeeded' })
    expect(run.stderr).toContain(`Task ${entry!.taskId} succeeded, but its image could not be saved`)
    expect(run.stderr).toContain(`the image exists at ${entry!.urls![0]}`)
    expect(run.stderr).toContain('Nothing needs re-creating')
    expect(run.stderr).toContain(`ima wait ${entry!.taskId} --out`)
    expect(run.stderr).not.toMatch(/try again/i)

    // Same with --quiet: the id and the URL are on stderr.
    const quiet = await ima(['generate', 'a saved fox', '--model', 'NB2', '--quiet', '--out', join(blocker, 'fox.png'), ...local()])
    expect(quiet.code).toBe(1)
    expect(quiet.stderr).toMatch(/Task task_\w+ succeeded/)
    expect(quiet.stderr).toContain('the image exists at http://127.0.0.1')
  }, SLOW)
})
