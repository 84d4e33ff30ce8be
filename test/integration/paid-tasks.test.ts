/**
 * Paid tasks under a misbehaving gateway: 240 creates through a real HTTP
 * proxy that, per a seeded plan, lets the server process and charge a create
 * and then answers the client badly (bare 429/5xx, HTML pages, resets,
 * timeouts, truncated bodies), or refuses it itself the way the service does.
 * The client must never pay for more than it asked for, and must be able to
 * find every task the server charged in its journal.
 */
import { describe, expect, it } from 'vitest'
import { accountForTasks, CHAOS_SEED, faultBreakdown, formatChaos, runChaos, verifyChaos, type ChaosReport } from '../support/chaos-scenario.js'

const CALLS = 240

describe('paid tasks through a faulty gateway', () => {
  // One run shared by the checks below (a failed run fails each of them).
  let report: Promise<ChaosReport> | undefined
  const run = (): Promise<ChaosReport> => (report ??= runChaos({ calls: CALLS, concurrency: 8, seed: CHAOS_SEED, timeoutMs: 300, delayMs: 550 }))

  it(`makes ${CALLS} creates under seeded faults, every kind of fault at least once`, { timeout: 60_000 }, async () => {
    const result = await run()
    console.log(formatChaos(result, verifyChaos(result)))
    expect(result.outcomes).toHaveLength(CALLS)
    for (const row of faultBreakdown(result)) expect(row.attempts, `fault ${row.fault}`).toBeGreaterThan(0)
    expect(result.proxy.upstreamErrors).toBe(0)
  })

  it('charges at most one task per call, and never more tasks than calls', { timeout: 60_000 }, async () => {
    const result = await run()
    expect(result.serverTasks.length).toBeLessThanOrEqual(CALLS)
    const prompts = result.serverTasks.map((task) => task.prompt)
    expect(new Set(prompts).size).toBe(prompts.length)
    // A create is re-sent only after an answer that proves nothing was processed.
    for (const call of result.outcomes) {
      for (const attempt of call.attempts.slice(0, -1)) expect(attempt.fault, `call ${call.index}`).toMatch(/^envelope-/)
    }
  })

  it('finds every charged task in the journal: by its id, or as one unknown entry each', { timeout: 60_000 }, async () => {
    const result = await run()
    const { byId, byUnknown, unaccounted, problems } = accountForTasks(result.serverTasks, result.journal)
    expect(problems).toEqual([])
    expect(unaccounted).toEqual([])
    expect(byId + byUnknown).toBe(result.serverTasks.length)
    expect(result.journal.filter((entry) => entry.state === 'intent')).toEqual([])
    expect(result.recent.map((entry) => entry.ref).sort()).toEqual(result.journal.map((entry) => entry.ref).sort())
    expect(result.recent.map((entry) => entry.createdAt)).toEqual(result.recent.map((entry) => entry.createdAt).sort().reverse())
  })

  it('gives every CreateOutcomeUnknownError a ref that is in the journal', { timeout: 60_000 }, async () => {
    const result = await run()
    const unknown = result.outcomes.filter((call) => call.outcome === 'unknown')
    expect(unknown.length).toBeGreaterThan(0)
    const refs = new Map(result.journal.map((entry) => [entry.ref, entry]))
    for (const call of unknown) {
      expect(call.ref, `call ${call.index}`).toEqual(expect.any(String))
      expect(refs.get(call.ref!)?.state, `call ${call.index} (${call.ref})`).toBe('unknown')
    }
    expect(new Set(unknown.map((call) => call.ref)).size).toBe(unknown.length)
  })

  it('ends each call as its last answer proves, and counts the points', { timeout: 60_000 }, async () => {
    const result = await run()
    const verdict = verifyChaos(result)
    expect(verdict.problems).toEqual([])
    expect(result.creditsSpent + result.creditsUncertain).toBeGreaterThanOrEqual(result.serverCharged)
  })
})
