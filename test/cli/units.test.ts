/**
 * The CLI's pure parts in-process: progress on a non-terminal (fake
 * timers), ratios in lowest terms, SDK names in flag words, and the error
 * report's layout.
 */
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nearestAspectRatio, offeredAspectRatio, reduceAspectRatio } from '../../src/catalog/capabilities.js'
import { COMMAND_FLAGS, inFlagWords, REFERENCE_FLAGS } from '../../src/cli/flag-names.js'
import type { CliIO } from '../../src/cli/io.js'
import { numberedFileName, resolveOutPaths } from '../../src/cli/files.js'
import { Progress } from '../../src/cli/progress.js'
import { reportError } from '../../src/cli/report-error.js'
import { ConnectionError, ImaError, TaskFailedError, ValidationError } from '../../src/errors.js'
import type { TaskEvent } from '../../src/resources/tasks/types.js'

/** A CliIO whose stderr is collected; never a terminal unless asked. */
function memoryIO(stderrIsTTY = false): CliIO & { err: () => string } {
  let err = ''
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        append(String(chunk))
        callback()
      },
    })
  const log = { opened: false, debug() {}, info() {}, warn() {}, error() {}, flush: async () => {} }
  return { stdout: sink(() => {}), stderr: sink((text) => (err += text)), stderrIsTTY, env: {}, log, err: () => err }
}

function status(type: TaskEvent['type'], percent: number): TaskEvent {
  return { type, percent, taskId: 'task_1' } as TaskEvent
}

describe('progress on a non-terminal', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('a line per status change, then one every progressEveryMs while nothing changes, from a timer', () => {
    const io = memoryIO()
    const progress = new Progress(io, { label: 'Nano Banana Pro', estimatedSeconds: [60, 120], progressEveryMs: 30_000, startedAt: Date.now() }, { quiet: false })
    progress.update(status('pending', 0))
    vi.advanceTimersByTime(4_000)
    progress.update(status('processing', 5))
    // No poll for a minute (the SDK's schedule waits for the estimate): the timer still speaks, at the cadence.
    vi.advanceTimersByTime(29_999)
    expect(io.err().trim().split('\n')).toHaveLength(2)
    vi.advanceTimersByTime(1)
    vi.advanceTimersByTime(30_000)
    progress.update(status('processing', 60))
    vi.advanceTimersByTime(10_000)
    progress.update(status('success', 100))
    progress.stop()
    vi.advanceTimersByTime(120_000)
    expect(io.err().trim().split('\n')).toEqual([
      'Nano Banana Pro · pending · 0 s · 0% · usually 60–120 s',
      'Nano Banana Pro · processing · 4 s · 5% · usually 60–120 s',
      'Nano Banana Pro · processing · 34 s · 28% · usually 60–120 s',
      'Nano Banana Pro · processing · 64 s · 53% · usually 60–120 s',
      'Nano Banana Pro · success · 74 s · 100% · usually 60–120 s',
    ])
    expect(io.err()).not.toContain('\r')
  })

  it('speaks before any event too, in the chosen language; --quiet says nothing', () => {
    const io = memoryIO()
    const progress = new Progress(io, { label: 'Nano Banana2', estimatedSeconds: [20, 40], progressEveryMs: 15_000, startedAt: Date.now() }, { quiet: false, language: 'zh' })
    vi.advanceTimersByTime(15_000)
    expect(io.err()).toBe('Nano Banana2 · 排队中 · 15 秒 · 37% · 通常 20–40 秒\n')
    progress.stop()
    const quiet = memoryIO()
    const silent = new Progress(quiet, { label: 'x', estimatedSeconds: [20, 40], progressEveryMs: 15_000, startedAt: Date.now() }, { quiet: true })
    silent.update(status('processing', 10))
    vi.advanceTimersByTime(60_000)
    silent.stop()
    expect(quiet.err()).toBe('')
  })
})

describe('ratios in lowest terms', () => {
  it('reduces by the greatest common divisor, decimals included', () => {
    expect(['21:9', '7:3', '16:9', '32:18', '1.5:1', ' 4 : 3 ', '0:1', 'wide', '1:0'].map(reduceAspectRatio)).toEqual([
      '7:3', '7:3', '16:9', '16:9', '3:2', '4:3', undefined, undefined, undefined,
    ])
  })

  it('finds the same shape under another spelling before the nearest one', () => {
    const seedream = ['1:1', '16:9', '9:16', '4:3', '3:4', '2:3', '3:2', '21:9']
    expect(offeredAspectRatio('7:3', seedream)).toBe('21:9')
    expect(offeredAspectRatio('6:4', seedream)).toBe('3:2')
    expect(offeredAspectRatio('5:4', seedream)).toBeUndefined()
    expect(nearestAspectRatio('7:3', seedream)).toBe('21:9')
    expect(nearestAspectRatio('5:4', seedream)).toBe('4:3')
  })
})

describe('SDK names in flag words', () => {
  it("names generate's flags, or the reference script's", () => {
    const message = 'SeeDream 4.5 sets size from aspect_ratio: pass either size or aspect_ratio, not both'
    expect(inFlagWords(message, COMMAND_FLAGS)).toBe('SeeDream 4.5 sets size from --ratio: pass either --size or --ratio, not both')
    expect(inFlagWords(message, REFERENCE_FLAGS)).toBe('SeeDream 4.5 sets size from --extra-params aspect_ratio: pass either --size or --extra-params aspect_ratio, not both')
    expect(inFlagWords('inputImages[1]: Refusing plain http input http://example.com', REFERENCE_FLAGS, ['a.png', 'http://example.com/b.png'])).toBe(
      '--input-images http://example.com/b.png: Refusing plain http input http://example.com',
    )
    expect(inFlagWords('(leave versionId out for the newest); raise maxCredits', COMMAND_FLAGS)).toBe('(leave --version-id out for the newest); raise --max-credits')
    expect(inFlagWords("Ask for size '4K' and upscale", COMMAND_FLAGS)).toBe('Ask for --size 4K and upscale')
    expect(inFlagWords('text_to_image takes no input images: use taskType image_to_image, or leave taskType out', REFERENCE_FLAGS)).toBe(
      'text_to_image takes no input images: use --task-type image_to_image, or leave --task-type out',
    )
    expect(inFlagWords('image_to_image needs at least one input image: pass inputImages: [url]', COMMAND_FLAGS)).toBe('image_to_image needs at least one input image: pass --image <path or URL>')
  })
})

describe('the error report', () => {
  const report = (error: unknown, extra: Partial<Parameters<typeof reportError>[2]> = {}) => {
    const io = memoryIO()
    const code = reportError(io, error, { language: 'en', verbose: false, apiKey: undefined, ...extra })
    return { code, lines: io.err().trim().split('\n') }
  }

  it('leads with the cause; the next step after it; the reference last', () => {
    const missing = new ValidationError('inputImages[0]: No file at /abs/cat.png — input images must be an https URL', [{ path: 'inputImages.0', message: 'file does not exist' }])
    expect(report(missing, { inputImages: ['cat.png'] }).lines).toEqual([
      'Error: File not found: cat.png',
      'Next: Check the path given to --image (a relative path starts from the current folder), or pass an https URL',
      'Reference: code validation (ValidationError)',
    ])
    const failed = new TaskFailedError('Task task_9 failed: blocked by the safety filter', { taskId: 'task_9', reason: 'blocked by the safety filter' })
    expect(report(failed).lines[0]).toBe('Error: Task task_9 failed on the service: blocked by the safety filter')
  })

  it('a journal that cannot be written or read: its cause, once "nothing was sent", whatever rule the SDK states', () => {
    const written = new ImaError("The task journal could not be written (EACCES: permission denied, open '/j (1).jsonl'): a create is sent only once it is journaled, so that a charged task can always be found again. Nothing was sent.", { code: 'journal_unavailable' })
    expect(report(written).lines[0]).toBe("Error: The task journal could not be written (EACCES: permission denied, open '/j (1).jsonl'). Nothing was sent or charged")
    const read = new ImaError('The task journal could not be read (EIO: i/o error, read): a create with a ref is sent only once the journal shows it was not sent before. Nothing was sent.', { code: 'journal_unavailable' })
    expect(report(read).lines[0]).toBe('Error: The task journal could not be read (EIO: i/o error, read). Nothing was sent or charged')
  })

  it('a refused connection names the host; only a loopback one asks for ima serve', () => {
    const refused = (path: string) => new ConnectionError('network error', { request: { method: 'GET', path }, sent: false, code: 'ECONNREFUSED' })
    expect(report(refused('/open/v1/product/list'), { baseURL: 'http://localhost:4010' }).lines[0]).toBe('Error: Nothing is listening at http://localhost:4010 — is `ima serve` running?')
    expect(report(refused('/api/rest/oss/getuploadtoken'), { baseURL: 'http://localhost:4010' }).lines[0]).toBe(
      'Error: Could not connect to https://imapi.liveme.com: the connection was refused',
    )
  })

  it('names a port fetch blocks, instead of an unstable network', () => {
    const blocked = new ConnectionError('blocked', { request: { method: 'GET', path: '/open/v1/product/list' }, sent: false, code: 'bad_port' })
    expect(report(blocked, { baseURL: 'http://127.0.0.1:6000' }).lines.slice(0, 2)).toEqual([
      'Error: fetch refuses to connect to the port of http://127.0.0.1:6000 (a blocked port, such as 6000): nothing was sent',
      'Next: Use another port (--base-url, --upload-base-url; `ima serve --port`)',
    ])
  })
})

describe('resolveOutPaths: where --out saves each image of a task', () => {
  const cwd = '/srv/pictures'
  it('one image: the default name in the folder, or the file as given', () => {
    expect(resolveOutPaths('', 'A Fox', 'task_1', ['https://cdn/x/0.png'], cwd)).toEqual(['/srv/pictures/a-fox-task-1.png'])
    expect(resolveOutPaths('out/', 'A Fox', 'task_1', ['https://cdn/x/0.webp'], cwd)).toEqual(['/srv/pictures/out/a-fox-task-1.webp'])
    expect(resolveOutPaths('fox.png', 'A Fox', 'task_1', ['https://cdn/x/0.png'], cwd)).toEqual(['/srv/pictures/fox.png'])
  })
  it('several images: numbered as ima batch numbers them, never one file for two', () => {
    const urls = ['https://cdn/x/0.png', 'https://cdn/x/1.png']
    expect(resolveOutPaths('', 'A Fox', 'task_1', urls, cwd)).toEqual(['/srv/pictures/a-fox-task-1-1.png', '/srv/pictures/a-fox-task-1-2.png'])
    expect(resolveOutPaths('fox.png', 'A Fox', 'task_1', urls, cwd)).toEqual(['/srv/pictures/fox.png', '/srv/pictures/fox-2.png'])
    expect(resolveOutPaths('fox', 'A Fox', 'task_1', urls, cwd)).toEqual(['/srv/pictures/fox', '/srv/pictures/fox-2'])
    expect(numberedFileName('a.b/fox.png', 2)).toBe('a.b/fox-3.png')
  })
})
