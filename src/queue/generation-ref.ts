/**
 * The journal reference a generation job's create is sent under, and its
 * reading back: one format, written by the worker and read by whoever looks
 * a job's create up (`ima batch --queue`). No dependency, so the CLI can read
 * a summary's refs without loading the queue.
 */

/** BullMQ's own key prefix, when none is given: refs under it keep the short form. */
const DEFAULT_BULLMQ_PREFIX = 'bull'

/**
 * The journal reference of a job's create: `bullmq:<queue name>:<job id>`,
 * or `bullmq@<prefix>:<queue name>:<job id>` for a queue under a key prefix
 * of its own (so two tenants' queues of one name, sharing a journal, never
 * take each other's creates). Every attempt of a job sends (at most) one
 * create under it, so the task journal can tell a retry that the create was
 * sent already.
 *
 * @example
 * ```ts
 * const entry = (await ima.tasks.recent()).find((e) => e.ref === generationRef('ima-generations', jobId))
 * generationRef('ima-generations', 'req-1', 'tenantA') // 'bullmq@tenantA:ima-generations:req-1'
 * ```
 * @public
 */
export function generationRef(queueName: string, jobId: string, prefix?: string): string {
  const scope = prefix === undefined || prefix === DEFAULT_BULLMQ_PREFIX ? '' : `@${encodeURIComponent(prefix)}`
  return `bullmq${scope}:${queueName}:${jobId}`
}

/**
 * A generation job's journal reference read back: its queue, job id and key
 * prefix (when not BullMQ's default), or `undefined` for any other ref (a
 * local batch's, a chat's).
 *
 * @example
 * ```ts
 * readGenerationRef('bullmq:ima-generations:batch-1f2e-3-9a') // { queue: 'ima-generations', jobId: 'batch-1f2e-3-9a' }
 * ```
 */
export function readGenerationRef(ref: string | null | undefined): { queue: string; jobId: string; prefix?: string } | undefined {
  // Queue names hold no `:` (BullMQ joins its keys with it); a job id may; a prefix is written encoded.
  const match = typeof ref === 'string' ? /^bullmq(?:@([^:]+))?:([^:]+):(.+)$/.exec(ref) : null
  if (!match) return undefined
  const found = { queue: match[2] as string, jobId: match[3] as string }
  return match[1] === undefined ? found : { ...found, prefix: decodeURIComponent(match[1]) }
}
