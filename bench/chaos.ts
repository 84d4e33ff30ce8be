/**
 * Paid tasks under a misbehaving gateway, as a standalone run:
 * `npm run chaos` (or `npx tsx bench/chaos.ts [calls] [seed]`).
 *
 * Creates go through a real HTTP proxy in front of the local IMA server that,
 * per a seeded plan, lets the server process and charge a create and then
 * answers badly (bare 429/500/503, HTML 502/503/504, resets, a delay past the
 * client's timeout, truncated JSON), or refuses it as the service itself
 * does (envelope 429/503/6010/4008). Prints the counts and the per-fault
 * breakdown; exits 1 when the server charged more tasks than calls, charged
 * one call twice, or charged a task the client's journal cannot account for.
 */
import { CHAOS_SEED, formatChaos, runChaos, verifyChaos } from '../test/support/chaos-scenario.js'

const calls = Number(process.argv[2] ?? 400)
const seed = Number(process.argv[3] ?? CHAOS_SEED)
if (!Number.isInteger(calls) || calls <= 0 || !Number.isInteger(seed)) {
  console.error('usage: tsx bench/chaos.ts [calls (400)] [seed (20261201)]')
  process.exit(2)
}

const report = await runChaos({ calls, seed, concurrency: 8, timeoutMs: 300, delayMs: 550 })
const verdict = verifyChaos(report)
console.log(formatChaos(report, verdict))
const { charged } = verdict.counts
if (charged > calls) console.error(`FAIL: the server charged ${charged} tasks for ${calls} calls`)
if (verdict.problems.length > 0) {
  console.error(`FAIL: ${verdict.problems.length} problem(s), listed above`)
  process.exit(1)
}
console.log(`OK: ${charged} tasks charged for ${calls} calls, every one findable in the journal`)
