/** The mutable state one local server instance shares between its route handlers. */
import { buildDefaultCatalog, TASK_CATEGORIES } from './catalog.js'
import type { ServerProductNode, TaskCategory } from './catalog.js'
import type { RecordedRequest, ServerTask, ServerUpload } from './records.js'
import type { ResolvedServerOptions } from './server-options.js'
import type { ServerResponse } from 'node:http'
import { FaultPlan, type FaultRule } from './faults.js'
import { PictureCache } from './picture-cache.js'
import { driftCatalog, requireAttributes, retiredKey } from './catalog-drift.js'
import type { Leniency, ServerWarning } from './warnings.js'
import type { IncomingCall } from './incoming-call.js'

/** An upload token handed out and not yet used by a PUT. */
export interface UploadSlot {
  id: string
  apiKey: string
  suffix: string
  contentType: string
  ful: string
  fdl: string
}

/** Everything a server remembers; arrays are cleared in place so references held by tests stay live. */
export interface ServerState {
  readonly options: ResolvedServerOptions
  /** API base URL, known once listening. */
  url: string
  /** Upload host base URL, known once listening. */
  uploadURL: string
  readonly balances: Map<string, number>
  readonly catalogs: Record<TaskCategory, ServerProductNode[]>
  /** The trees as they were at start, to restore on `reset()` after the list drifted. */
  readonly startCatalogs: Record<TaskCategory, ServerProductNode[]>
  /** How many of `options.catalogDrift` have been applied since start or reset. */
  driftsApplied: number
  /** Attribute ids a drift took away, by `retiredKey(category, versionId)`: a create still sending one gets 6010. */
  readonly retiredAttributeIds: Map<string, Set<number>>
  /** Every leniency applied, in order (cleared in place by reset). */
  readonly warnings: ServerWarning[]
  readonly requests: RecordedRequest[]
  readonly tasks: ServerTask[]
  readonly tasksById: Map<string, ServerTask>
  readonly uploads: ServerUpload[]
  /** Tokens handed out, by upload id; a used slot moves to `uploadsById`. */
  readonly uploadSlots: Map<string, UploadSlot>
  readonly uploadsById: Map<string, ServerUpload>
  /** Rendered PNGs by file path, drawn on first request (and again once dropped past the cache's budget). */
  readonly pictures: PictureCache
  /** Injected faults still to apply. */
  readonly faults: FaultPlan
  /** Answers held open by a `hang` fault (closed with the server). */
  readonly hanging: Set<ServerResponse>
  /** Ends the pending `delay` faults at once: their timers must not keep a closed server's process alive. */
  readonly delays: Set<() => void>
}

/** Creates the state for a server; catalogs are deep-copied so callers' objects are never mutated. */
export function createServerState(options: ResolvedServerOptions): ServerState {
  const catalogs = {} as Record<TaskCategory, ServerProductNode[]>
  for (const category of TASK_CATEGORIES) {
    catalogs[category] = structuredClone(options.catalog[category] ?? buildDefaultCatalog(category))
    requireAttributes(catalogs[category], options.requireRuleAttributes)
  }
  return {
    options,
    url: '',
    uploadURL: '',
    balances: new Map(Object.entries(options.apiKeys)),
    catalogs,
    startCatalogs: structuredClone(catalogs),
    driftsApplied: 0,
    retiredAttributeIds: new Map(),
    warnings: [],
    requests: [],
    tasks: [],
    tasksById: new Map(),
    uploads: [],
    uploadSlots: new Map(),
    uploadsById: new Map(),
    pictures: new PictureCache(),
    faults: planOf(options.faults),
    hanging: new Set(),
    delays: new Set(),
  }
}

function planOf(rules: readonly FaultRule[]): FaultPlan {
  const plan = new FaultPlan()
  for (const rule of rules) plan.add(rule)
  return plan
}

/** Forgets requests, tasks, uploads, faults and warnings, and restores the starting balances, faults and product list. */
export function resetServerState(state: ServerState): void {
  state.requests.length = 0
  state.tasks.length = 0
  state.tasksById.clear()
  state.uploads.length = 0
  state.uploadSlots.clear()
  state.uploadsById.clear()
  state.pictures.clear()
  state.faults.clear()
  for (const rule of state.options.faults) state.faults.add(rule)
  state.balances.clear()
  for (const [key, points] of Object.entries(state.options.apiKeys)) state.balances.set(key, points)
  state.warnings.length = 0
  for (const category of TASK_CATEGORIES) state.catalogs[category] = structuredClone(state.startCatalogs[category])
  state.driftsApplied = 0
  state.retiredAttributeIds.clear()
}

/** Adds a request's leniencies to `server.warnings`, tied to the request (and the task it made). */
export function recordWarnings(state: ServerState, call: IncomingCall, entries: readonly Leniency[], taskId?: string): void {
  if (entries.length === 0) return
  const requestIndex = state.requests.lastIndexOf(call.record)
  for (const entry of entries) {
    state.warnings.push({ ...entry, path: call.path, requestIndex, ...(taskId === undefined ? {} : { taskId }) })
  }
}

/**
 * Applies the catalog drifts that are due after an accepted create (the
 * count is `state.tasks.length`), in both categories.
 */
export function applyDueCatalogDrifts(state: ServerState): void {
  const drifts = state.options.catalogDrift
  for (let next = drifts[state.driftsApplied]; next && next.afterCreates <= state.tasks.length; next = drifts[state.driftsApplied]) {
    for (const category of TASK_CATEGORIES) {
      for (const [versionId, ids] of driftCatalog(state.catalogs[category], next)) {
        const key = retiredKey(category, versionId)
        const retired = state.retiredAttributeIds.get(key) ?? new Set<number>()
        for (const id of ids) retired.add(id)
        state.retiredAttributeIds.set(key, retired)
      }
    }
    state.driftsApplied += 1
  }
}

/** Whether a value is one of the configured API keys. */
export function isConfiguredKey(state: ServerState, key: unknown): key is string {
  return typeof key === 'string' && state.balances.has(key)
}
