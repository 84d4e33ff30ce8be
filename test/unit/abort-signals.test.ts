import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { delay, linkSignals, whenAborted } from '../../src/internal/abort.js'

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length

describe('whenAborted', () => {
  it('puts one listener on a signal however many subscribe, and removes it with the last', () => {
    const controller = new AbortController()
    const stops = Array.from({ length: 100 }, () => whenAborted(controller.signal, () => {}))
    expect(listeners(controller.signal)).toBe(1)
    for (const stop of stops.slice(1)) stop()
    expect(listeners(controller.signal)).toBe(1)
    stops[0]?.()
    expect(listeners(controller.signal)).toBe(0)
    // Cancelling twice changes nothing.
    stops[0]?.()
    expect(listeners(controller.signal)).toBe(0)
  })

  it('calls each subscriber once, in order, and not those that cancelled', () => {
    const controller = new AbortController()
    const calls: number[] = []
    whenAborted(controller.signal, () => calls.push(1))
    const cancelled = whenAborted(controller.signal, () => calls.push(2))
    // A subscriber that cancels a later one while the abort is being dispatched.
    let later = () => {}
    whenAborted(controller.signal, () => {
      calls.push(3)
      later()
    })
    later = whenAborted(controller.signal, () => calls.push(4))
    cancelled()
    controller.abort()
    controller.abort()
    expect(calls).toEqual([1, 3])
    expect(listeners(controller.signal)).toBe(0)
  })

  it('calls at once for a signal that already aborted', () => {
    let called = 0
    whenAborted(AbortSignal.abort(), () => (called += 1))
    expect(called).toBe(1)
  })
})

describe('linkSignals', () => {
  it('follows the first source to abort, with its reason, and leaves no listener once released', () => {
    const first = new AbortController()
    const second = new AbortController()
    const linked = linkSignals([first.signal, undefined, second.signal])
    expect(listeners(first.signal) + listeners(second.signal)).toBe(2)
    second.abort('why')
    expect(linked.signal?.aborted).toBe(true)
    expect(linked.signal?.reason).toBe('why')
    expect(listeners(first.signal) + listeners(second.signal)).toBe(0)

    const third = new AbortController()
    for (let index = 0; index < 1_000; index += 1) linkSignals([third.signal, new AbortController().signal]).release()
    expect(listeners(third.signal)).toBe(0)
  })
})

describe('delay', () => {
  it('leaves no listener after it ends, by its time or by an abort', async () => {
    const controller = new AbortController()
    await Promise.all(Array.from({ length: 50 }, () => delay(1, controller.signal)))
    expect(listeners(controller.signal)).toBe(0)
    const pending = delay(60_000, controller.signal)
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    expect(listeners(controller.signal)).toBe(0)
  })
})
