/**
 * How a task looks over time: the phases the real service goes through, and
 * the prompt markers that steer a task into its failure paths.
 *
 * Prompt markers (like test card numbers, put them anywhere in the prompt):
 * - `[fail]`: from phase 2 on, every media is `resource_status: 2`, status
 *   'failed', with an `error_msg`.
 * - `[fail-status]`: from phase 2 on, every media is `resource_status: 1` but
 *   status 'failed', with an empty url and only a `remark`.
 * - `[delete]`: from phase 2 on, every media is `resource_status: 3` (deleted).
 * - `[never]`: the task stays in phase 1 (processing) forever, for time-outs.
 */
import type { Dimensions } from './image-dimensions.js'
import type { ServerTask } from './records.js'
import type { TaskProgression } from './server-options.js'

/** 0 pending, 1 processing, 2 ready without a url yet, 3 done. */
export type TaskPhase = 0 | 1 | 2 | 3

/** The phase of a task now. In 'polls' mode, call after counting the current poll. */
export function taskPhase(task: ServerTask, progression: TaskProgression, durationMs: number, now: number): TaskPhase {
  let phase: TaskPhase
  if (progression === 'polls') {
    phase = Math.max(0, Math.min(task.polls - 1, 3)) as TaskPhase
  } else {
    const elapsed = now - task.createdAt
    if (elapsed < 0.2 * durationMs) phase = 0
    else if (elapsed < 0.8 * durationMs) phase = 1
    else if (elapsed < durationMs) phase = 2
    else phase = 3
  }
  if (task.prompt.includes('[never]')) return Math.min(phase, 1) as TaskPhase
  return phase
}

/** Where the result files of a task are served. */
export function resultFileUrl(baseUrl: string, taskId: string, index: number, cover: boolean): string {
  return `${baseUrl}/files/${taskId}/${index}${cover ? '-cover' : ''}.png`
}

/**
 * The media entries of a task in a phase, one per image (n). `served` is the
 * size of the PNG actually served, so `width`/`height` tell the truth.
 */
export function taskMedias(task: ServerTask, phase: TaskPhase, baseUrl: string, served: Dimensions): Record<string, unknown>[] {
  return Array.from({ length: task.n }, (_, index): Record<string, unknown> => {
    if (phase === 0) return { resource_status: null, status: 'pending', url: '', cover_url: '' }
    if (phase === 1) return { resource_status: 0, status: 'processing', url: '' }
    if (task.prompt.includes('[fail]')) {
      return { resource_status: 2, status: 'failed', url: '', error_msg: 'The image could not be generated (simulated failure)' }
    }
    if (task.prompt.includes('[fail-status]')) {
      return { resource_status: 1, status: 'failed', url: '', remark: 'simulated failure without detail' }
    }
    if (task.prompt.includes('[delete]')) return { resource_status: 3, status: 'failed', url: '' }
    // The real service has a moment where the status is ready but the url is still empty.
    if (phase === 2) return { resource_status: 1, status: 'success', url: '', watermark_url: '' }
    return {
      resource_status: 1,
      status: 'success',
      url: resultFileUrl(baseUrl, task.id, index, false),
      cover_url: resultFileUrl(baseUrl, task.id, index, true),
      format: 'png',
      width: served.width,
      height: served.height,
    }
  })
}
