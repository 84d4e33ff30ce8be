/**
 * `runBatch` in-process, over real HTTP against the local server: a line
 * whose wait ends without the task's verdict (here its deadline) is
 * `pending` with its task id — running and paid for, collected by the next
 * run — never `failed`; the next run waits for it and creates nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ImaClient } from '../../src/node/index.js'
import { startImaServer, type ImaServer } from '../../src/testing/index.js'
import { createDisplay } from '../../src/cli/batch/display.js'
import { parseBatch } from '../../src/cli/batch/items.js'
import { planItems, quoteItems, type PlannedItem } from '../../src/cli/batch/plan.js'
import { runBatch, type BatchWork } from '../../src/cli/batch/runner.js'
import { readSummaryFile, SummaryFile } from '../../src/cli/batch/state.js'
import type { CliIO } from '../../src/cli/io.js'

let server: ImaServer
let home: string
beforeAll(async () => {
  server = await startImaServer({ taskDurationMs: 50 })
  home = await mkdtemp(join(tmpdir(), 'ima-runner-'))
})
afterAll(async () => {
  await server?.close()
  await rm(home, { recursive: true, force: true })
})

function io(): CliIO & { text: () => string } {
  let text = ''
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk)
      callback()
    },
  })
  return { stdout: sink, stderr: sink, stderrIsTTY: false, env: {}, log: { write() {}, close: async () => {} } as unknown as CliIO['log'], text: () => text }
}

async function run(ima: ImaClient, planned: PlannedItem[], summary: SummaryFile, out: CliIO, timeoutMs: number, stopStarting?: AbortSignal) {
  await summary.begin(planned.map((entry) => entry.row))
  const works: BatchWork[] = planned
    .filter((entry) => entry.action === 'create' || entry.action === 'resume')
    .map((entry) => ({ item: entry.item, row: entry.row, action: entry.action === 'create' ? 'create' : 'resume', ...(entry.quote ? { quote: entry.quote } : {}) }))
  const display = createDisplay(out, { quiet: false, language: 'en', total: planned.length, alreadyDone: 0 })
  await runBatch(ima, works, { summary, display, signal: new AbortController().signal, settings: { concurrency: 1, baseDir: home, outDir: undefined, intervalMs: 5, timeoutMs }, ...(stopStarting ? { stopStarting } : {}) })
  display.stop()
  return summary.finish()
}

describe('runBatch', () => {
  it('a wait that times out leaves its line pending with its task, and the next run collects it without a create', async () => {
    const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url, journal: undefined })
    const parsed = parseBatch(`${JSON.stringify({ prompt: 'a slow fox', model: 'NB2' })}\n`, { csv: false })
    if (!parsed.ok) throw new Error('bad batch')
    const path = join(home, 'summary.jsonl')
    const first = await planItems(parsed.items, [], () => ima.tasks.recent())
    await quoteItems(ima, first.planned, 'default')
    const out = io()
    const [row] = await run(ima, first.planned, new SummaryFile(path), out, 10)
    expect(row).toMatchObject({ state: 'pending', task_id: expect.stringMatching(/^task_/) })
    expect(out.text()).toMatch(/^\[1\/1\] still running line 1 \(task_\w+\): .* — the same command collects it, never creates it again$/m)

    const creates = server.requests.filter((request) => request.path === '/open/v1/tasks/create').length
    const second = await planItems(parsed.items, await readSummaryFile(path), () => ima.tasks.recent())
    expect(second.planned.map((entry) => entry.action)).toEqual(['resume'])
    const [again] = await run(ima, second.planned, new SummaryFile(path), io(), 10_000)
    expect(again).toMatchObject({ state: 'done', task_id: row?.task_id })
    expect(server.requests.filter((request) => request.path === '/open/v1/tasks/create').length).toBe(creates)
  })

  it('stopStarting (the lock was taken) starts no new line, and lets the one in flight finish with its picture', async () => {
    const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
    const parsed = parseBatch(['one', 'two', 'three'].map((word) => JSON.stringify({ prompt: `a ${word} fox stopped`, model: 'NB2' })).join('\n'), { csv: false })
    if (!parsed.ok) throw new Error('bad batch')
    const first = await planItems(parsed.items, [], () => ima.tasks.recent())
    await quoteItems(ima, first.planned, 'default')
    const stop = new AbortController()
    // The lock is lost as soon as the first create is answered: its wait goes on, nothing more starts.
    ima.on('task.created', () => stop.abort())
    const before = server.requests.filter((request) => request.path === '/open/v1/tasks/create').length
    const rows = await run(ima, first.planned, new SummaryFile(join(home, 'stopped.jsonl')), io(), 10_000, stop.signal)
    expect(rows.map((row) => row.state)).toEqual(['done', 'pending', 'pending'])
    expect(rows.slice(1).map((row) => row.task_id)).toEqual([null, null])
    expect(server.requests.filter((request) => request.path === '/open/v1/tasks/create').length).toBe(before + 1)
  })
})
