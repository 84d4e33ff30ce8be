/**
 * Waiting leaves nothing behind: no listener on the caller's signal, no
 * warning however many waits share it, and no heap growth over thousands of
 * waits. The heap is measured in a child process (test/fixtures/wait-cycles.ts)
 * started with --expose-gc, so that this process's own allocations do not count.
 */
import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { fixture, killLeftoverChildren, spawnTsx } from '../support/tsx-child.js'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })

afterEach(() => killLeftoverChildren())

/**
 * Cycles measured after the warm-up: 10,000, as the waiting code promises.
 * Each is a create and a wait of four polls over real HTTP (three sleeps
 * between them): about 10 ms on an idle 2-core machine, so the test takes
 * about 100 s there and runs beside the other files. IMA_WAIT_LEAK_CYCLES
 * sets another count (the timeout follows); 1,000 already show any leak of
 * 1 KiB a wait — the waiting code before this test kept ~3 KiB a wait.
 */
const HEAP_CYCLES = Number(process.env.IMA_WAIT_LEAK_CYCLES ?? 10_000)
const HEAP_WARMUP = 500
/** Generous, for a loaded 2-core CI machine: 40 ms per cycle (4× the idle figure), and a minute to start and warm up. */
const CHILD_TIMEOUT_MS = 60_000 + (HEAP_WARMUP + HEAP_CYCLES) * 40
const MIB = 1024 * 1024

/** Runs the fixture in a child with --expose-gc and returns its `result` line, killing it past the timeout. */
async function runWaitCycles(args: string[]): Promise<Record<string, unknown>> {
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim()
  const child = spawnTsx(fixture('wait-cycles.ts'), args, { env: { NODE_OPTIONS: nodeOptions } })
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.child.kill('SIGKILL')
      reject(new Error(`wait-cycles ${args.join(' ')} did not finish within ${CHILD_TIMEOUT_MS} ms:\n${child.output()}`))
    }, CHILD_TIMEOUT_MS)
  })
  try {
    const { code, out } = await Promise.race([child.done, timedOut])
    expect(code, out).toBe(0)
    const line = /^result (.*)$/m.exec(out)
    expect(line, out).not.toBeNull()
    return { ...(JSON.parse(line?.[1] ?? '{}') as Record<string, unknown>), out }
  } finally {
    clearTimeout(timer)
  }
}

describe('waiting without leaks', () => {
  it('leaves no listener on the caller\'s signal, and holds one at most while many waits share it', async () => {
    const client = ima.client()
    const controller = new AbortController()
    const { signal } = controller
    for (let index = 0; index < 10; index += 1) {
      const task = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'a fox' })
      await client.tasks.wait(task, { intervalMs: 1, signal })
      for await (const _event of client.tasks.waitFor(task.id, { intervalMs: 1, signal })) {
        // read to the end
      }
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)

    const forever = await client.tasks.create({ model: 'gemini-3.1-flash-image', prompt: 'forever [never]' })
    const waits = Array.from({ length: 50 }, (_, index) => client.tasks.wait(index % 2 ? forever : forever.id, { intervalMs: 1, signal }))
    const timedOut = client.tasks.wait(forever, { intervalMs: 1, timeoutMs: 20, signal })
    expect(getEventListeners(signal, 'abort')).toHaveLength(1)
    expect((await rejectionOf(timedOut)).name).toBe('TaskTimeoutError')
    controller.abort()
    for (const wait of waits) expect((await rejectionOf(wait)).name).toBe('AbortError')
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })

  it('prints no warning for 1,000 concurrent waits on one signal', async () => {
    const result = await runWaitCycles(['concurrent', '1000'])
    expect(result).toMatchObject({ count: 1000, aborted: 1000, iterated: 'AbortError', warnings: [] })
    expect(result.out).not.toContain('MaxListenersExceededWarning')
    expect(result.out).not.toContain('Warning')
  }, CHILD_TIMEOUT_MS + 10_000)

  it(`keeps the heap within 1 MiB over ${HEAP_CYCLES} sequential create + wait cycles on one signal`, async () => {
    const result = await runWaitCycles(['heap', String(HEAP_WARMUP), String(HEAP_CYCLES)])
    expect(result.warnings).toEqual([])
    expect(result.growthBytes as number, `heap ${String(result.beforeMiB)} → ${String(result.afterMiB)} MiB`).toBeLessThan(MIB)
  }, CHILD_TIMEOUT_MS + 10_000)
})
