import type { WireMedia } from '../schemas/tasks.js'

/** A media's `resource_status`: 0 processing, 1 ready, 2 failed, 3 deleted. */
export type ResourceStatus = 0 | 1 | 2 | 3

/** `null`, `""` and anything unknown count as 0 (still processing). */
export function normaliseResourceStatus(value: WireMedia['resource_status']): ResourceStatus {
  const number = value === null || value === undefined || value === '' ? 0 : Number(value)
  return number === 1 || number === 2 || number === 3 ? number : 0
}

/** How a task failed: a media at resource_status 2, or only a status "failed" on ready medias. */
export type TaskFailure = 'resource' | 'status'

/** What a task detail says about the task as a whole. */
export type TaskState = 'pending' | 'processing' | 'success' | 'failed' | 'deleted'

/** The outcome of {@link readTaskStatus}. */
export interface TaskStatusReading {
  /** `pending`, `processing`, `success`, `failed` or `deleted`. */
  state: TaskState
  /** The service's reason for a failure (`error_msg`, else `remark`). */
  reason?: string
  /** How it failed: a media at resource_status 2 (`resource`), or every media ready but a status "failed" (`status`). */
  failure?: TaskFailure
  /** On success: each media's URL (`url`, else `watermark_url`). */
  urls?: string[]
}

function reasonOf(media: WireMedia): string | undefined {
  return media.error_msg || media.remark || undefined
}

/**
 * Reads a task's state from its medias, by the protocol's rules: any media at
 * 2 → failed, at 3 → deleted; done only when there is at least one media and
 * all are at 1 — then a media whose `status` is "failed" means failed, and an
 * empty URL means the result is not there yet (keep polling).
 */
export function readTaskStatus(medias: readonly WireMedia[] | null | undefined): TaskStatusReading {
  const list = medias ?? []
  if (list.length === 0) return { state: 'pending' }
  const statuses = list.map((media) => normaliseResourceStatus(media.resource_status))
  const failed = list.find((_, index) => statuses[index] === 2)
  if (failed) return { ...withReason('failed', failed), failure: 'resource' }
  const deleted = list.find((_, index) => statuses[index] === 3)
  if (deleted) return withReason('deleted', deleted)
  if (statuses.every((status) => status === 1)) {
    const failedStatus = list.find((media) => media.status?.toLowerCase() === 'failed')
    if (failedStatus) return { ...withReason('failed', failedStatus), failure: 'status' }
    const urls = list.map((media) => media.url || media.watermark_url || '')
    if (urls.every((url) => url !== '')) return { state: 'success', urls }
    return { state: 'processing' }
  }
  const waiting = list.every(
    (media) => media.status?.toLowerCase() === 'pending' || (!media.status && media.resource_status == null),
  )
  return { state: waiting ? 'pending' : 'processing' }
}

function withReason(state: 'failed' | 'deleted', media: WireMedia): TaskStatusReading {
  const reason = reasonOf(media)
  return reason === undefined ? { state } : { state, reason }
}

/** The capped progress shown while waiting: `min(95, floor(elapsed / estimatedMax × 100))`. */
export function progressPercent(elapsedMs: number, estimatedMaxMs: number): number {
  if (!(estimatedMaxMs > 0)) return 0
  return Math.max(0, Math.min(95, Math.floor((elapsedMs / estimatedMaxMs) * 100)))
}
