/**
 * The lock that keeps two runs of one batch apart: two runs on one summary
 * would create its remaining lines twice, and both would be charged. The
 * lock is `<summary>.lock`, refreshed while the run lasts and stale 15 s
 * after a run was killed. A stale lock whose owner still runs on this
 * machine — stopped with Ctrl-Z, or a laptop asleep — is not taken: its
 * owner is written beside it (`<summary>.lock-owner`), and a pid that now
 * belongs to another program does not count. A run whose lock was
 * taken all the same (from another machine) is told through `lost`, and
 * stops creating.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import lockfile from 'proper-lockfile'

/** A held summary lock. */
export interface SummaryLock {
  /** Aborts when another run took the lock: this run must create nothing more. */
  readonly lost: AbortSignal
  /** Frees the lock (and its owner file, while it is still this run's). */
  release(): Promise<void>
}

/** Why the lock could not be taken: another run holds it (its pid, when it runs on this machine). */
export class SummaryLockedError extends Error {
  override name = 'SummaryLockedError'
  constructor(readonly pid: number | undefined) {
    super('the summary is locked by another run')
  }
}

interface LockOwner {
  pid: number
  host: string
}

const STALE_MS = 15_000
const UPDATE_MS = 5_000

function ownerFile(summaryPath: string): string {
  return `${summaryPath}.lock-owner`
}

/** Whether a process runs (a process of another user is reported by EPERM: it runs). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid of the run that holds the lock, when it runs on this machine. */
async function runningOwner(summaryPath: string): Promise<number | undefined> {
  let owner: Partial<LockOwner>
  try {
    owner = JSON.parse(await readFile(ownerFile(summaryPath), 'utf8')) as Partial<LockOwner>
  } catch {
    return undefined
  }
  const { pid } = owner
  if (owner.host !== hostname() || typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined
  return isRunning(pid) && (await mayBeBatch(pid)) ? pid : undefined
}

/**
 * Whether the process could still be the batch that wrote the owner file: a killed run's pid may
 * since belong to another program, which must not hold the lock for ever. Where the system shows
 * command lines (Linux `/proc`), an `ima batch` has `batch` in its own; elsewhere a running pid is trusted.
 */
async function mayBeBatch(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').includes('batch')
  } catch {
    return true
  }
}

/**
 * Takes the lock of a summary file (which may not exist yet).
 *
 * @throws SummaryLockedError when another run holds it.
 */
export async function lockSummary(summaryPath: string): Promise<SummaryLock> {
  await mkdir(dirname(summaryPath), { recursive: true })
  const owner = await runningOwner(summaryPath)
  // proper-lockfile would take a lock left unrefreshed for 15 s; its owner, stopped or asleep, would then go on creating.
  if (owner !== undefined && existsSync(`${summaryPath}.lock`)) throw new SummaryLockedError(owner)
  const lost = new AbortController()
  let unlock: () => Promise<void>
  try {
    unlock = await lockfile.lock(summaryPath, { realpath: false, stale: STALE_MS, update: UPDATE_MS, retries: 0, onCompromised: () => lost.abort() })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new SummaryLockedError(owner)
    throw error
  }
  const me: LockOwner = { pid: process.pid, host: hostname() }
  // Without the owner file the lock still holds; only a stopped run could then be overtaken.
  await writeFile(ownerFile(summaryPath), JSON.stringify(me)).catch(() => undefined)
  return {
    lost: lost.signal,
    async release() {
      if (!lost.signal.aborted) {
        await rm(ownerFile(summaryPath), { force: true }).catch(() => undefined)
        await unlock()
      }
    },
  }
}
