import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileLogStore, defaultLogDir } from 'ima-open-sdk/node'
import { consoleLogger, pinoLogger, redactingLogger, type ImaLogger } from '../../src/logger.js'
import { redactFields, REDACTED } from '../../src/internal/redact.js'

const KEY = 'ima_CANARY_log_7d1e5b3a9c2f4e6d'
const OTHER_KEY_LOOKING = 'ima_sk_0123456789abcdef'
const BEARER = 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig'

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ima-logs-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A local date at noon, `daysBack` days before 10 March 2026. */
function day(daysBack: number, base = new Date(2026, 2, 10, 12, 0, 0)): Date {
  return new Date(base.getFullYear(), base.getMonth(), base.getDate() - daysBack, 12, 0, 0)
}

function stamp(date: Date): string {
  return `${date.getFullYear()}${String(date.getMonth() + 1).padStart(2, '0')}${String(date.getDate()).padStart(2, '0')}`
}

async function lines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8')
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

describe('FileLogStore', () => {
  it('defaults to ~/.openclaw/logs/ima_skills and 7 days', () => {
    const store = new FileLogStore({ dir })
    expect(store.retentionDays).toBe(7)
    expect(defaultLogDir()).toMatch(/[/\\]\.openclaw[/\\]logs[/\\]ima_skills$/)
  })

  it('appends JSON lines to ima_create_YYYYMMDD.log, named by the local date', async () => {
    const now = new Date(2026, 2, 10, 23, 59, 0)
    const store = new FileLogStore({ dir, now: () => now })
    store.info('ima task created', { taskId: 't1', model: 'midjourney', credit: 8 })
    store.debug('ima response', { method: 'POST', path: '/open/v1/tasks/detail', status: 200, durationMs: 12, msg: 'not overriding' })
    await store.flush()
    expect(store.file).toBe(join(dir, 'ima_create_20260310.log'))
    const written = await lines(store.file)
    expect(written).toEqual([
      { time: now.toISOString(), level: 'info', msg: 'ima task created', pid: process.pid, taskId: 't1', model: 'midjourney', credit: 8 },
      { time: now.toISOString(), level: 'debug', msg: 'ima response', pid: process.pid, method: 'POST', path: '/open/v1/tasks/detail', status: 200, durationMs: 12 },
    ])
  })

  it('drops lines below its level', async () => {
    const store = new FileLogStore({ dir, level: 'warn', now: () => day(0) })
    store.debug('no')
    store.info('no')
    store.warn('yes')
    store.error('yes too')
    await store.flush()
    expect((await lines(store.file)).map((line) => line.msg)).toEqual(['yes', 'yes too'])
  })

  it('at start-up removes files dated 8 days back and keeps 7 and 6 days back (and anything else)', async () => {
    for (const back of [30, 8, 7, 6, 1, 0]) await writeFile(join(dir, `ima_create_${stamp(day(back))}.log`), '{}\n')
    await writeFile(join(dir, 'notes.txt'), 'mine')
    await writeFile(join(dir, 'ima_create_latest.log'), 'not dated')
    const store = new FileLogStore({ dir, now: () => day(0) })
    await store.flush()
    expect((await readdir(dir)).sort()).toEqual(
      [...[7, 6, 1, 0].map((back) => `ima_create_${stamp(day(back))}.log`), 'ima_create_latest.log', 'notes.txt'].sort(),
    )
  })

  it('cleans up again when the day changes, with no waiting (the clock is injected)', async () => {
    let now = day(0)
    for (const back of [6, 5]) await writeFile(join(dir, `ima_create_${stamp(day(back))}.log`), '{}\n')
    const store = new FileLogStore({ dir, now: () => now })
    store.info('first day')
    await store.flush()
    expect(await readdir(dir)).toHaveLength(3)

    // Two days later, 6 days back has become 8 days back and 5 has become 7.
    now = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 2, 0, 0, 1)
    store.info('third day')
    await store.flush()
    expect((await readdir(dir)).sort()).toEqual([`ima_create_${stamp(day(5))}.log`, `ima_create_${stamp(day(0))}.log`, `ima_create_${stamp(now)}.log`].sort())
    expect((await lines(join(dir, `ima_create_${stamp(now)}.log`))).map((line) => line.msg)).toEqual(['third day'])
    expect(await store.cleanup()).toEqual([])
    expect(store.lastError).toBeUndefined()
  })

  it('retentionDays is configurable', async () => {
    for (const back of [3, 2]) await writeFile(join(dir, `ima_create_${stamp(day(back))}.log`), '{}\n')
    const store = new FileLogStore({ dir, retentionDays: 2, now: () => day(0) })
    expect(await store.cleanup()).toEqual([])
    expect(await readdir(dir)).toEqual([`ima_create_${stamp(day(2))}.log`])
    expect(() => new FileLogStore({ dir, retentionDays: -1 })).toThrow(/retentionDays/)
    expect(() => new FileLogStore({ dir, level: 'loud' as never })).toThrow(/level/)
  })

  it('keeps every line whole when several writers append to one file at once', async () => {
    const stores = Array.from({ length: 4 }, () => new FileLogStore({ dir, now: () => day(0) }))
    const filler = 'x'.repeat(500)
    for (let index = 0; index < 150; index += 1) for (const [writer, store] of stores.entries()) store.info('line', { writer, index, filler })
    await Promise.all(stores.map((store) => store.flush()))
    const written = await lines(stores[0]!.file)
    expect(written).toHaveLength(600)
    for (const [writer] of stores.entries()) {
      expect(written.filter((line) => line.writer === writer).map((line) => line.index)).toEqual(Array.from({ length: 150 }, (_, index) => index))
    }
  })

  it('never throws when it cannot write; it keeps the error', async () => {
    await writeFile(join(dir, 'file-not-folder'), '')
    const store = new FileLogStore({ dir: join(dir, 'file-not-folder'), now: () => day(0) })
    expect(() => store.error('lost')).not.toThrow()
    await store.flush()
    expect(store.lastError).toBeInstanceOf(Error)
  })
})

describe('redaction in the logging path', () => {
  it('redactFields removes keys, Bearer tokens and secret-named fields at any depth; prompts only on request', () => {
    const fields = {
      apiKey: 'anything at all',
      headers: { Authorization: BEARER, accept: 'application/json' },
      reason: `refused ${KEY} and ${OTHER_KEY_LOOKING}`,
      list: [OTHER_KEY_LOOKING, { token: 'abc' }],
      error: new Error(`boom ${BEARER}`),
      prompt: 'a private prompt',
      nested: { deeper: { prompt: 'another private prompt' } },
      when: new Date(0),
      big: 10n,
    }
    const redacted = redactFields(fields, { secrets: [KEY] })
    const text = JSON.stringify(redacted)
    for (const secret of [KEY, OTHER_KEY_LOOKING, 'eyJhbGciOiJIUzI1NiJ9', 'anything at all', 'a private prompt', 'another private prompt', '"abc"']) {
      expect(text).not.toContain(secret)
    }
    expect(redacted).toMatchObject({ apiKey: REDACTED, prompt: REDACTED, headers: { accept: 'application/json' }, error: { name: 'Error' }, when: '1970-01-01T00:00:00.000Z', big: '10' })
    expect(redactFields(fields, { secrets: [KEY], logPrompts: true })).toMatchObject({ prompt: 'a private prompt', nested: { deeper: { prompt: 'another private prompt' } } })
    const cycle: Record<string, unknown> = { a: 1 }
    cycle.self = cycle
    expect(redactFields(cycle)).toEqual({ a: 1, self: '[circular]' })
  })

  it('a key-looking string and a Bearer token in messages and fields never reach the file; prompts only with logPrompts', async () => {
    const now = () => day(0)
    const quiet = new FileLogStore({ dir: join(dir, 'quiet'), now })
    const verbose = new FileLogStore({ dir: join(dir, 'verbose'), now })
    for (const [store, logPrompts] of [
      [quiet, false],
      [verbose, true],
    ] as const) {
      const logger = redactingLogger(store, { secrets: [KEY], logPrompts })
      logger.warn(`retrying with ${KEY} after ${BEARER}`, { reason: `header ${BEARER}`, key: OTHER_KEY_LOOKING, apiKey: KEY, prompt: 'a lighthouse at dusk' })
      logger.info(`saw ${OTHER_KEY_LOOKING}`)
      await store.flush()
    }
    const quietText = await readFile(quiet.file, 'utf8')
    const verboseText = await readFile(verbose.file, 'utf8')
    for (const text of [quietText, verboseText]) {
      for (const secret of [KEY, OTHER_KEY_LOOKING, 'eyJhbGciOiJIUzI1NiJ9', KEY.slice(4, 16)]) expect(text).not.toContain(secret)
      expect(text).toContain(`Bearer ${REDACTED}`)
    }
    expect(quietText).not.toContain('a lighthouse at dusk')
    expect(verboseText).toContain('a lighthouse at dusk')
  })

  it('a logger that throws never breaks the caller', () => {
    const throwing: ImaLogger = {
      debug: () => {
        throw new Error('broken sink')
      },
      info: () => {
        throw new Error('broken sink')
      },
      warn: () => {
        throw new Error('broken sink')
      },
      error: () => {
        throw new Error('broken sink')
      },
    }
    expect(() => redactingLogger(throwing).error('x', { a: 1 })).not.toThrow()
  })
})

describe('consoleLogger and pinoLogger', () => {
  it('consoleLogger writes one line per call at or above its level', () => {
    const seen: string[] = []
    const sink = { debug: (line: string) => seen.push(line), info: (line: string) => seen.push(line), warn: (line: string) => seen.push(line), error: (line: string) => seen.push(line) }
    const logger = consoleLogger({ level: 'info', console: sink })
    logger.debug('hidden')
    logger.info('ima task created', { taskId: 't1' })
    logger.error('ima task failed')
    expect(seen).toEqual(['info ima task created {"taskId":"t1"}', 'error ima task failed'])
    expect(() => consoleLogger({ level: 'verbose' as never })).toThrow(/Expected level/)
  })

  it('pinoLogger passes fields first and the message second, as pino wants', () => {
    const chunks: string[] = []
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString())
        done()
      },
    })
    const logger = redactingLogger(pinoLogger(pino({ level: 'debug', base: undefined }, destination)), { secrets: [KEY] })
    logger.info('ima task created', { taskId: 't1', model: 'midjourney', apiKey: KEY })
    logger.debug('ima response', { status: 200 })
    const written = chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(written).toMatchObject([
      { level: 30, msg: 'ima task created', taskId: 't1', model: 'midjourney', apiKey: REDACTED },
      { level: 20, msg: 'ima response', status: 200 },
    ])
    expect(chunks.join('')).not.toContain(KEY)
    expect(() => pinoLogger({} as never)).toThrow(/pino/)
  })
})
