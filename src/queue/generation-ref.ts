/**
 * The journal reference a generation job's create is sent under, and its
 * reading back: one format, written by the worker and read by whoever looks
 * a job's create up (`ima batch --queue`). No dependency, so the CLI can read
 * a summary's refs without loading the queue.
 */

/**
 * The journal reference of a job's create: `bullmq:<queue name>:<job id>`.
 * Every attempt of a job sends (at most) one create under it, so the task
 * journal can tell a retry that the create was sent already.
 *
 * @example
 * ```ts
 * const entry = (await ima.tasks.recent()).find((e) => e.ref === generationRef('ima-generations', jobId))
 * ```
 * @public
 */
export function generationRef(queueName: string, jobId: string): string {
  return `bullmq:${queueName}:${jobId}`
}

/**
 * A generation job's journal reference read back: its queue and job id, or
 * `undefined` for any other ref (a local batch's, a chat's).
 *
 * @example
 * ```ts
 * readGenerationRef('bullmq:ima-generations:batch-1f2e-3-9a') // { queue: 'ima-generations', jobId: 'batch-1f2e-3-9a' }
 * ```
 */
export function readGenerationRef(ref: string | null | undefined): { queue: string; jobId: string } | undefined {
  // Queue names hold no `:` (BullMQ joins its keys with it); a job id may.
  const match = typeof ref === 'string' ? /^bullmq:([^:]+):(.+)$/.exec(ref) : null
  return match ? { queue: match[1] as string, jobId: match[2] as string } : undefined
}
