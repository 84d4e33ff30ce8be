/**
 * The paid-tasks chaos scenario, shared by `test/integration/paid-tasks.test.ts`
 * and `bench/chaos.ts`: many creates through {@link startFaultProxy}, then a
 * check that the client never paid for more than it asked and can find every
 * task the server charged.
 */
import { CreateOutcomeUnknownError, ImaClient, MemoryTaskJournal, type JournalEntry } from 'ima-open-sdk'
import { startImaServer, type ServerTask } from 'ima-open-sdk/testing'
import {
  CREATE_FAULTS,
  expectedOutcome,
  seededPlan,
  seededRandom,
  startFaultProxy,
  type CreateFault,
  type FaultProxyCounts,
  type ProxiedCreate,
} from './fault-proxy.js'

export const CHAOS_SEED = 20261201

export interface ChaosOptions {
  /** Create calls to make. @defaultValue 240 */
  calls?: number
  /** Calls in flight at once. @defaultValue 8 */
  concurrency?: number
  /** Seed of the fault plan and of the model choice. @defaultValue {@link CHAOS_SEED} */
  seed?: number
  /** The client's per-request timeout, ms. @defaultValue 300 */
  timeoutMs?: number
  /** How long the proxy's `delay` fault holds an answer (past the timeout). @defaultValue 550 */
  delayMs?: number
}

const MODELS = ['MJ', 'NB Pro', 'NB2', 'SeeDream'] as const

/** How one `tasks.create` call ended. */
export interface CallOutcome {
  index: number
  prompt: string
  model: string
  outcome: 'created' | 'unknown' | 'refused'
  taskId?: string
  /** `CreatedTask.ref` or `CreateOutcomeUnknownError.ref`. */
  ref?: string
  /** The error's class name, and its cause's for an unknown outcome. */
  errorName?: string
  causeName?: string
  /** The create attempts the proxy saw for this call (by its prompt), in order. */
  attempts: ProxiedCreate[]
}

export interface ChaosReport {
  seed: number
  calls: number
  durationMs: number
  outcomes: CallOutcome[]
  /** Tasks the server recorded and charged. */
  serverTasks: ServerTask[]
  /** Points the server took from the key's balance. */
  serverCharged: number
  /** `journal.list()`, oldest first. */
  journal: JournalEntry[]
  /** `ima.tasks.recent()`, newest first. */
  recent: JournalEntry[]
  proxy: FaultProxyCounts
  creditsSpent: number
  creditsUncertain: number
}

/** Runs `calls` creates, `concurrency` at a time, through a faulty proxy in front of a fresh local server. */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const calls = options.calls ?? 240
  const concurrency = options.concurrency ?? 8
  const seed = options.seed ?? CHAOS_SEED
  const server = await startImaServer({ progression: 'polls' })
  const proxy = await startFaultProxy({ target: server.url, plan: seededPlan(seed), delayMs: options.delayMs ?? 550 })
  try {
    const journal = new MemoryTaskJournal()
    const ima = new ImaClient({
      apiKey: server.apiKey,
      baseURL: proxy.url,
      uploadBaseURL: server.uploadURL,
      timeout: options.timeoutMs ?? 300,
      journal,
    })
    const balanceBefore = server.balance(server.apiKey)
    const pickModel = seededRandom(seed + 1)
    const wishes = Array.from({ length: calls }, (_, index) => ({
      index,
      prompt: `chaos call ${index} seed ${seed}`,
      model: MODELS[Math.floor(pickModel() * MODELS.length)] ?? 'MJ',
    }))
    const outcomes: Omit<CallOutcome, 'attempts'>[] = []
    const started = performance.now()
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < wishes.length) {
        const wish = wishes[next++]!
        try {
          const task = await ima.tasks.create({ model: wish.model, prompt: wish.prompt })
          outcomes.push({ ...wish, outcome: 'created', taskId: task.id, ref: task.ref })
        } catch (error) {
          if (error instanceof CreateOutcomeUnknownError) {
            const cause = error.cause as { name?: unknown } | undefined
            outcomes.push({
              ...wish,
              outcome: 'unknown',
              ref: error.ref,
              taskId: error.taskId,
              errorName: error.name,
              causeName: typeof cause?.name === 'string' ? cause.name : undefined,
            })
          } else {
            outcomes.push({ ...wish, outcome: 'refused', errorName: error instanceof Error ? error.name : String(error) })
          }
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    const durationMs = performance.now() - started
    await proxy.settled()
    const attemptsByPrompt = new Map<string, ProxiedCreate[]>()
    for (const create of proxy.creates) {
      const list = attemptsByPrompt.get(create.prompt ?? '') ?? []
      list.push(create)
      attemptsByPrompt.set(create.prompt ?? '', list)
    }
    return {
      seed,
      calls,
      durationMs,
      outcomes: outcomes
        .sort((a, b) => a.index - b.index)
        .map((outcome) => ({ ...outcome, attempts: attemptsByPrompt.get(outcome.prompt) ?? [] })),
      serverTasks: [...server.tasks],
      serverCharged: balanceBefore - server.balance(server.apiKey),
      journal: await journal.list(),
      recent: await ima.tasks.recent(),
      proxy: proxy.counts(),
      creditsSpent: ima.creditsSpent,
      creditsUncertain: ima.creditsUncertain,
    }
  } finally {
    await proxy.close()
    await server.close()
  }
}

const time = (iso: string): number => Date.parse(iso)

/**
 * Accounts for every charged task with exactly one journal entry: the entry
 * that holds its id (`created`/`succeeded`), else a distinct `unknown` entry
 * whose window [intent written, marked unknown] contains the moment the
 * server recorded the task. Returns the tasks left over (none when all are
 * findable) and how many were found each way.
 */
export function accountForTasks(
  serverTasks: readonly ServerTask[],
  journal: readonly JournalEntry[],
): { byId: number; byUnknown: number; unaccounted: ServerTask[]; problems: string[] } {
  const problems: string[] = []
  const withId = new Map<string, JournalEntry>()
  for (const entry of journal) {
    if (entry.taskId === undefined) continue
    if (withId.has(entry.taskId)) problems.push(`task ${entry.taskId} is in the journal twice (${withId.get(entry.taskId)?.ref}, ${entry.ref})`)
    withId.set(entry.taskId, entry)
  }
  const serverIds = new Set(serverTasks.map((task) => task.id))
  for (const [taskId, entry] of withId) {
    if (!serverIds.has(taskId)) problems.push(`journal entry ${entry.ref} names task ${taskId}, which the server never created`)
  }
  let byId = 0
  const rest: ServerTask[] = []
  for (const task of serverTasks) {
    const entry = withId.get(task.id)
    if (entry && (entry.state === 'created' || entry.state === 'succeeded')) byId += 1
    else if (entry) problems.push(`task ${task.id} is journaled as ${entry.state} (${entry.ref}), not created`)
    else rest.push(task)
  }
  // Points to intervals: take the tasks in time order, each the open window that closes first.
  const windows = journal
    .filter((entry) => entry.state === 'unknown' && entry.taskId === undefined)
    .map((entry) => ({ entry, from: time(entry.createdAt), to: time(entry.updatedAt), used: false }))
  let byUnknown = 0
  const unaccounted: ServerTask[] = []
  for (const task of [...rest].sort((a, b) => a.createdAt - b.createdAt)) {
    let best: (typeof windows)[number] | undefined
    for (const window of windows) {
      if (window.used || window.from > task.createdAt || window.to < task.createdAt) continue
      if (!best || window.to < best.to) best = window
    }
    if (best) {
      best.used = true
      byUnknown += 1
    } else unaccounted.push(task)
  }
  for (const task of unaccounted) problems.push(`task ${task.id} (${task.prompt}) was charged but is not in the journal, neither by id nor as unknown`)
  return { byId, byUnknown, unaccounted, problems }
}

export interface ChaosVerdict {
  problems: string[]
  counts: {
    calls: number
    charged: number
    chargedPoints: number
    createAttempts: number
    forwarded: number
    createdWithId: number
    unknown: number
    refused: number
    journalCreated: number
    journalUnknown: number
    journalRefused: number
    journalOther: number
    foundById: number
    foundAsUnknown: number
    /** Calls whose create was forwarded and answered well, yet timed out on the client (the machine was slow). */
    slowPasses: number
    creditsSpent: number
    creditsUncertain: number
  }
}

/** Every invariant of the scenario, as a list of problems (empty when all hold) and the counts. */
export function verifyChaos(report: ChaosReport): ChaosVerdict {
  const problems: string[] = []
  const { outcomes, serverTasks, journal } = report
  const byRef = new Map(journal.map((entry) => [entry.ref, entry]))

  // 1. Never more tasks than calls, never two tasks for one call.
  if (serverTasks.length > report.calls) problems.push(`the server charged ${serverTasks.length} tasks for ${report.calls} calls`)
  const perPrompt = new Map<string, ServerTask[]>()
  for (const task of serverTasks) perPrompt.set(task.prompt, [...(perPrompt.get(task.prompt) ?? []), task])
  for (const [prompt, tasks] of perPrompt) if (tasks.length > 1) problems.push(`"${prompt}" was charged ${tasks.length} times`)

  // 2. Every charged task is findable in the journal.
  const accounted = accountForTasks(serverTasks, journal)
  problems.push(...accounted.problems)

  // 3. Nothing left half-written; recent() is the journal, newest first.
  for (const entry of journal) if (entry.state === 'intent') problems.push(`journal entry ${entry.ref} is still an intent`)
  const recentRefs = report.recent.map((entry) => entry.ref)
  if (new Set(recentRefs).size !== journal.length || recentRefs.some((ref) => !byRef.has(ref))) {
    problems.push(`tasks.recent() lists ${report.recent.length} entries, the journal ${journal.length}`)
  }
  for (let i = 1; i < report.recent.length; i += 1) {
    if (report.recent[i - 1]!.createdAt < report.recent[i]!.createdAt) {
      problems.push('tasks.recent() is not newest first')
      break
    }
  }

  // 4. Each call against the truth the proxy saw, and against its journal entry.
  let slowPasses = 0
  for (const call of outcomes) {
    const tasks = perPrompt.get(call.prompt) ?? []
    const last = call.attempts.at(-1)
    const label = `call ${call.index} (${call.model}, faults ${call.attempts.map((a) => a.fault).join(' → ') || 'none'})`
    if (call.outcome === 'unknown') {
      const entry = call.ref === undefined ? undefined : byRef.get(call.ref)
      if (!entry) problems.push(`${label}: CreateOutcomeUnknownError.ref ${String(call.ref)} matches no journal entry`)
      else if (entry.state !== 'unknown' && !(entry.state === 'created' && entry.taskId !== undefined)) {
        problems.push(`${label}: its journal entry ${entry.ref} is ${entry.state}, not unknown`)
      }
    }
    if (call.outcome === 'created') {
      const entry = call.ref === undefined ? undefined : byRef.get(call.ref)
      if (!entry || entry.taskId !== call.taskId) problems.push(`${label}: created ${call.taskId} but the journal entry ${String(call.ref)} does not hold it`)
      if (!tasks.some((task) => task.id === call.taskId)) problems.push(`${label}: created ${call.taskId}, which the server never recorded`)
    }
    if (tasks.length > 0 && call.outcome === 'refused') problems.push(`${label}: the server charged ${tasks[0]!.id} but the call reported a refusal (${call.errorName})`)
    if (!last) {
      problems.push(`${label}: no create reached the proxy`)
      continue
    }
    // Retries happen only after a proven refusal.
    for (const attempt of call.attempts.slice(0, -1)) {
      if (expectedOutcome(attempt.fault) !== 'refused') problems.push(`${label}: re-sent after "${attempt.fault}", which proves nothing`)
    }
    const expected = expectedOutcome(last.fault)
    const timedOutAnyway = call.outcome === 'unknown' && call.causeName === 'RequestTimeoutError' && last.forwarded
    if (timedOutAnyway && expected === 'created') slowPasses += 1
    else if (call.outcome !== expected) {
      problems.push(`${label}: expected ${expected} after "${last.fault}", got ${call.outcome}${call.errorName ? ` (${call.errorName}${call.causeName ? ` ← ${call.causeName}` : ''})` : ''}`)
    }
  }

  // 5. Points: spent is what was accepted, uncertain what may have been; together they cover the server's charge.
  const sum = (entries: JournalEntry[]) => entries.reduce((total, entry) => total + entry.totalCredit, 0)
  const inState = (...states: string[]) => journal.filter((entry) => states.includes(entry.state))
  if (report.creditsSpent !== sum(inState('created', 'succeeded', 'failed'))) {
    problems.push(`creditsSpent ${report.creditsSpent} ≠ the created entries' ${sum(inState('created', 'succeeded', 'failed'))} points`)
  }
  if (report.creditsUncertain !== sum(inState('unknown'))) {
    problems.push(`creditsUncertain ${report.creditsUncertain} ≠ the unknown entries' ${sum(inState('unknown'))} points`)
  }
  if (report.serverCharged > report.creditsSpent + report.creditsUncertain) {
    problems.push(`the server charged ${report.serverCharged} points, more than spent ${report.creditsSpent} + uncertain ${report.creditsUncertain}`)
  }
  if (report.proxy.upstreamErrors > 0) problems.push(`the proxy failed to forward ${report.proxy.upstreamErrors} creates (a harness problem)`)

  const count = (outcome: CallOutcome['outcome']) => outcomes.filter((call) => call.outcome === outcome).length
  return {
    problems,
    counts: {
      calls: report.calls,
      charged: serverTasks.length,
      chargedPoints: report.serverCharged,
      createAttempts: report.proxy.creates,
      forwarded: report.proxy.forwarded,
      createdWithId: count('created'),
      unknown: count('unknown'),
      refused: count('refused'),
      journalCreated: inState('created', 'succeeded').length,
      journalUnknown: inState('unknown').length,
      journalRefused: inState('refused').length,
      journalOther: journal.length - inState('created', 'succeeded', 'unknown', 'refused').length,
      foundById: accounted.byId,
      foundAsUnknown: accounted.byUnknown,
      slowPasses,
      creditsSpent: report.creditsSpent,
      creditsUncertain: report.creditsUncertain,
    },
  }
}

/** Per fault: create attempts that got it, tasks the server recorded under it, and how the calls it ended came out. */
export function faultBreakdown(report: ChaosReport): Array<{ fault: CreateFault; attempts: number; recorded: number; lastOf: number; created: number; unknown: number; refused: number }> {
  return CREATE_FAULTS.map((fault) => {
    const ended = report.outcomes.filter((call) => call.attempts.at(-1)?.fault === fault)
    return {
      fault,
      attempts: report.proxy.byFault[fault].creates,
      recorded: report.proxy.byFault[fault].recorded,
      lastOf: ended.length,
      created: ended.filter((call) => call.outcome === 'created').length,
      unknown: ended.filter((call) => call.outcome === 'unknown').length,
      refused: ended.filter((call) => call.outcome === 'refused').length,
    }
  })
}

/** The counts and the breakdown as printable tables. */
export function formatChaos(report: ChaosReport, verdict: ChaosVerdict): string {
  const { counts } = verdict
  const lines = [
    `chaos: ${counts.calls} create calls, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s`,
    '',
    ...Object.entries(counts).map(([name, value]) => `  ${name.padEnd(18)} ${String(value).padStart(6)}`),
    '',
    `  ${'fault'.padEnd(14)} ${['attempts', 'recorded', 'last of', 'created', 'unknown', 'refused'].map((h) => h.padStart(9)).join('')}`,
    ...faultBreakdown(report).map(
      (row) =>
        `  ${row.fault.padEnd(14)} ${[row.attempts, row.recorded, row.lastOf, row.created, row.unknown, row.refused].map((n) => String(n).padStart(9)).join('')}`,
    ),
  ]
  if (verdict.problems.length > 0) lines.push('', `${verdict.problems.length} problem(s):`, ...verdict.problems.slice(0, 40).map((p) => `  - ${p}`))
  return lines.join('\n')
}
