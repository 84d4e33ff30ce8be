/**
 * BullMQ, loaded on first use. `ima-open-sdk/queue` also holds the Redis
 * budget and lease stores, whose users bring only ioredis: a static
 * `import … from 'bullmq'` in any module of this entry would make every
 * `import { RedisBudgetStore } from 'ima-open-sdk/queue'` fail without
 * BullMQ installed (and load BullMQ — and ioredis with it — for nothing).
 * So the generation queue's modules import only BullMQ's TYPES statically,
 * and its classes through this one dynamic import, when a queue, a worker or
 * a QueueEvents is first made. (The CommonJS build `require`s it instead:
 * see tsup.config.ts.)
 */
import type * as BullMQ from 'bullmq'
import { ImaConfigError } from '../errors.js'

/** The `bullmq` module. @example `const { Worker }: BullMQModule = await loadBullmq()` */
export type BullMQModule = typeof BullMQ

let loading: Promise<BullMQModule> | undefined

/**
 * The `bullmq` module, imported once per process.
 *
 * @example
 * ```ts
 * const { Queue } = await loadBullmq()
 * ```
 * @throws ImaConfigError when bullmq is not installed (an optional peer dependency).
 */
export function loadBullmq(): Promise<BullMQModule> {
  loading ??= import('bullmq').catch((error: unknown) => {
    // Not cached: installing bullmq and trying again (a REPL, a watcher) should work.
    loading = undefined
    throw new ImaConfigError(
      `The generation queue needs bullmq, an optional peer dependency of ima-open-sdk: npm install bullmq (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    )
  })
  return loading
}
