/**
 * The parts of `ima mcp` that are rules rather than wiring: its settings
 * from the environment, where results are saved, and how progress rises.
 * The server itself is driven over stdio and HTTP in test/mcp/.
 */
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { trackDetachedCreates } from '../../src/cli/mcp/detached.js'
import { listenForStopSignals } from '../../src/cli/mcp/stop-signals.js'
import { checkOutputPath, OutputOutsideFolderError, resultFiles } from '../../src/cli/mcp/outputs.js'
import { ProgressReporter } from '../../src/cli/mcp/progress.js'
import { MAX_REMEMBERED_TASKS, rememberAtMost } from '../../src/cli/mcp/tools.js'
import { DEFAULT_WAIT_SECONDS, McpSettingError, readMcpSettings, readModelScope, readOutputDir } from '../../src/cli/mcp/settings.js'
import { mcpWordsFor } from '../../src/cli/mcp/words.js'
import type { TaskEvent } from '../../src/resources/tasks/types.js'

describe('ima mcp settings', () => {
  it('defaults: ~/Pictures/ima, the full catalog, English, a 40 s wait, no budget of its own', () => {
    const settings = readMcpSettings({ HOME: '/home/ana' })
    expect(settings.scope.name).toBe('full-catalog')
    expect(settings.language).toBe('en')
    expect(settings.waitSeconds).toBe(DEFAULT_WAIT_SECONDS)
    expect(settings.maxCredits).toBeUndefined()
    expect(readOutputDir(undefined, '/home/ana')).toBe('/home/ana/Pictures/ima')
  })

  it('reads every variable', () => {
    const settings = readMcpSettings({ IMA_MAX_CREDITS: '200', IMA_MODELS: 'nano-banana', IMA_OUTPUT_DIR: '/srv/images', IMA_LANGUAGE: 'ZH', IMA_MCP_WAIT_SECONDS: '25' })
    expect(settings).toMatchObject({ maxCredits: 200, outputDir: '/srv/images', language: 'zh', waitSeconds: 25 })
    expect(settings.scope.models).toEqual(['gemini-3.1-flash-image', 'gemini-3-pro-image'])
  })

  it('the --language flag wins over IMA_LANGUAGE', () => {
    expect(readMcpSettings({ IMA_LANGUAGE: 'zh' }, { language: 'en' }).language).toBe('en')
  })

  it('IMA_MODELS takes a list of ids, by commas or spaces', () => {
    expect(readModelScope('gemini-3-pro-image, midjourney').models).toEqual(['gemini-3-pro-image', 'midjourney'])
    expect(readModelScope('midjourney doubao-seedream-4.5').defaults.text_to_image).toBe('doubao-seedream-4.5')
    expect(readModelScope(' ').name).toBe('full-catalog')
  })

  it('expands ~ and refuses a relative output folder (it would be the client’s working directory)', () => {
    expect(readOutputDir('~/art', '/home/ana')).toBe('/home/ana/art')
    expect(readOutputDir('~', '/home/ana')).toBe('/home/ana')
    expect(() => readOutputDir('pictures', '/home/ana')).toThrow(/IMA_OUTPUT_DIR=pictures is not an absolute path/)
  })

  it.each([
    [{ IMA_MAX_CREDITS: '-1' }, /IMA_MAX_CREDITS=-1/],
    [{ IMA_MAX_CREDITS: '1.5' }, /IMA_MAX_CREDITS=1\.5/],
    [{ IMA_MCP_WAIT_SECONDS: '601' }, /IMA_MCP_WAIT_SECONDS=601 is not a whole number from 0 to 600/],
    [{ IMA_LANGUAGE: 'fr' }, /IMA_LANGUAGE=fr/],
    [{ IMA_MODELS: ',' }, /IMA_MODELS=, names no model/],
    // A typo in the list would be offered to the agent and refused on every call: refused at start.
    [{ IMA_MODELS: 'nonsense' }, /IMA_MODELS=nonsense names no model: .*nonsense is no model id; the model ids are doubao-seedream-4\.5, /],
    [{ IMA_MODELS: 'midjourney,midjurney' }, /midjurney is no model id \(did you mean midjourney\?\)/],
    [{ IMA_MAX_CREDITS: '0x10' }, /IMA_MAX_CREDITS=0x10 is not a whole number/],
    [{ IMA_MAX_CREDITS: '1e3' }, /IMA_MAX_CREDITS=1e3 is not a whole number/],
  ])('refuses %o, naming the variable', (env, message) => {
    expect(() => readMcpSettings(env)).toThrow(McpSettingError)
    expect(() => readMcpSettings(env)).toThrow(message)
  })
})

describe('where ima mcp saves', () => {
  const folder = '/home/ana/Pictures/ima'

  it('a name or a path inside the folder', () => {
    expect(checkOutputPath(folder, 'fox.png')).toEqual({ file: join(folder, 'fox.png') })
    expect(checkOutputPath(folder, 'foxes/red.png')).toEqual({ file: join(folder, 'foxes/red.png') })
    expect(checkOutputPath(folder, 'foxes/')).toEqual({ dir: join(folder, 'foxes') })
    expect(checkOutputPath(folder, `${folder}/abs.png`)).toEqual({ file: join(folder, 'abs.png') })
    expect(checkOutputPath(folder, undefined)).toBeUndefined()
    expect(checkOutputPath(folder, '  ')).toBeUndefined()
  })

  it.each(['../escape.png', '/etc/passwd', 'a/../../b.png', '.', '/home/ana/Pictures/image.png'])('refuses %s, which leaves the folder', (path) => {
    expect(() => checkOutputPath(folder, path)).toThrow(OutputOutsideFolderError)
  })

  it('numbers several images, keeps or adds the extension, and names from the prompt by default', () => {
    const urls = ['https://cdn.example/a.png', 'https://cdn.example/b.png']
    expect(resultFiles(folder, { file: `${folder}/fox.png` }, { urls, taskId: 't1', prompt: 'x' })).toEqual([`${folder}/fox-1.png`, `${folder}/fox-2.png`])
    expect(resultFiles(folder, { file: `${folder}/fox` }, { urls: urls.slice(0, 1), taskId: 't1', prompt: 'x' })).toEqual([`${folder}/fox.png`])
    expect(resultFiles(folder, undefined, { urls: urls.slice(0, 1), taskId: 'task_9', prompt: 'A red fox!' })).toEqual([`${folder}/a-red-fox-task-9.png`])
    expect(resultFiles(folder, { dir: `${folder}/sub` }, { urls, taskId: 'task_9', prompt: undefined })).toEqual([`${folder}/sub/image-task-9-1.png`, `${folder}/sub/image-task-9-2.png`])
  })
})

describe('progress notifications', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const event = (percent: number): TaskEvent => ({ type: 'processing', taskId: 't1', elapsedMs: 0, percent, medias: [] })

  it('rise only: 0 at the start, each poll that moves, the estimate at the model’s cadence, nothing after stop', () => {
    const sent: [number, string][] = []
    const reporter = new ProgressReporter(async (progress, message) => {
      sent.push([progress, message])
    }, mcpWordsFor('en'))
    reporter.start({ modelName: 'Nano Banana Pro', createdAt: Date.now(), estimatedMaxMs: 100_000, everyMs: 5_000 })
    reporter.update(event(0))
    reporter.update(event(3))
    reporter.update(event(2))
    vi.advanceTimersByTime(10_000) // 10 % of the estimate
    reporter.update(event(8))
    reporter.stop()
    vi.advanceTimersByTime(60_000)
    reporter.update(event(100))
    expect(sent).toEqual([
      [0, 'Nano Banana Pro: 0%'],
      [3, 'Nano Banana Pro: 3%'],
      [5, 'Nano Banana Pro: 5%'],
      [10, 'Nano Banana Pro: 10%'],
    ])
  })

  it('sends nothing for a call without a progress token, and survives a client that went away', () => {
    const silent = new ProgressReporter(undefined, mcpWordsFor('zh'))
    silent.start({ modelName: undefined, createdAt: Date.now(), estimatedMaxMs: 1_000, everyMs: 1_000 })
    expect(vi.getTimerCount()).toBe(0)
    const failing = new ProgressReporter(() => Promise.reject(new Error('closed')), mcpWordsFor('zh'))
    failing.start({ modelName: undefined, createdAt: Date.now(), estimatedMaxMs: 1_000, everyMs: 1_000 })
    expect(() => failing.update(event(50))).not.toThrow()
    failing.stop()
  })
})

describe('what ima mcp remembers of its tasks', () => {
  it('keeps the latest entries only: a set moves a task to the newest, the oldest go first past the limit', () => {
    const facts = new Map<string, number>()
    for (let task = 1; task <= 5; task += 1) rememberAtMost(facts, `task_${task}`, task, 3)
    expect([...facts.keys()]).toEqual(['task_3', 'task_4', 'task_5'])
    rememberAtMost(facts, 'task_3', 30, 3)
    rememberAtMost(facts, 'task_6', 6, 3)
    expect([...facts.entries()]).toEqual([
      ['task_5', 5],
      ['task_3', 30],
      ['task_6', 6],
    ])
  })

  it('at the server\'s limit (MAX_REMEMBERED_TASKS), keeps exactly that many of the latest tasks', () => {
    const facts = new Map<string, number>()
    for (let task = 0; task < MAX_REMEMBERED_TASKS * 4; task += 1) rememberAtMost(facts, `task_${task}`, task, MAX_REMEMBERED_TASKS)
    expect(facts.size).toBe(MAX_REMEMBERED_TASKS)
    expect(facts.has(`task_${MAX_REMEMBERED_TASKS * 4 - 1}`)).toBe(true)
    expect(facts.has(`task_${MAX_REMEMBERED_TASKS * 3 - 1}`)).toBe(false)
  })
})

// From the server's close until the last answer is journaled, a stop signal must be counted, never fall to Node's
// default (which ends the process before a charged task's id is written down): one counter for the process's life.
describe('ima mcp stop signals', () => {
  it('counts SIGINT and SIGTERM, resolves the n-th, and leaves nothing behind on release', async () => {
    const source = new EventEmitter()
    const signals = listenForStopSignals(source)
    const order: string[] = []
    void signals.reached(1).then(() => order.push('first'))
    void signals.reached(2).then(() => order.push('second'))
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(2)
    source.emit('SIGTERM')
    await Promise.resolve()
    expect(order).toEqual(['first'])
    expect(signals.count).toBe(1)
    source.emit('SIGINT')
    await Promise.resolve()
    expect(order).toEqual(['first', 'second'])
    // Asked for after the fact: at once.
    await signals.reached(2)
    signals.release()
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0)
  })

  it('a create still in flight is waited for until the second signal, then no longer', async () => {
    const client = new EventEmitter()
    const detached = trackDetachedCreates(client as unknown as Parameters<typeof trackDetachedCreates>[0])
    client.emit('task.outcome_unknown', { ref: 'r1', detached: true })
    const source = new EventEmitter()
    const signals = listenForStopSignals(source)
    // The first signal was the stop; the second, while settling, ends the wait with the create still unanswered.
    source.emit('SIGTERM')
    let unanswered: number | undefined
    const settling = detached.settle(60_000, signals.reached(2)).then((count) => (unanswered = count))
    await new Promise((resolve) => setImmediate(resolve))
    expect(unanswered).toBeUndefined()
    source.emit('SIGTERM')
    await settling
    expect(unanswered).toBe(1)
    signals.release()
  })

  it('settles at once when the answer arrives, whatever the signals', async () => {
    const client = new EventEmitter()
    const detached = trackDetachedCreates(client as unknown as Parameters<typeof trackDetachedCreates>[0])
    client.emit('task.outcome_unknown', { ref: 'r2', detached: true })
    const settling = detached.settle(60_000, new Promise<void>(() => {}))
    client.emit('task.detached_settled', { ref: 'r2' })
    expect(await settling).toBe(0)
  })
})
