/**
 * Child processes for the store tests: a fixture run with `node --import tsx`,
 * its stdout and stderr collected, and a way to wait for a line it prints.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export interface TsxChild {
  child: ChildProcess
  /** Everything printed so far, stdout and stderr together. */
  output(): string
  /** Resolves once the output matches (or rejects when the child ends first). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>
  /** Resolves when the child has ended. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>
}

/** The path of a fixture in test/fixtures/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
}

/** The environment of a child: ours, less what slows a Node start-up without use here. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  // NODE_EXTRA_CA_CERTS (set on some machines) slows every Node start-up; these children make no TLS calls.
  delete env.NODE_EXTRA_CA_CERTS
  return env
}

/** Every child started, so a failed test leaves none running (or stopped) behind. */
const started = new Set<ChildProcess>()

/** Kills every child still running: call it in afterEach. */
export function killLeftoverChildren(): void {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      // A stopped process takes SIGKILL too, but say so to be sure it is not left stopped.
      child.kill('SIGCONT')
    }
  }
  started.clear()
}

/** The process state letter (`T`: stopped), from /proc on Linux or `ps` elsewhere. */
async function processState(pid: number): Promise<string | undefined> {
  try {
    // /proc/<pid>/stat: "pid (comm) S …" — the state follows the last ')'.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  } catch {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'state=', '-p', String(pid)]).catch(() => ({ stdout: '' }))
    return stdout.trim().slice(0, 1) || undefined
  }
}

/**
 * Resolves once the child is really stopped: it prints "paused" just before
 * stopping itself, and a SIGCONT sent in between would be lost.
 */
export async function waitUntilStopped(child: ChildProcess, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the child ended instead of stopping')
    if ((await processState(child.pid as number)) === 'T') return
    // Polling a process that is about to stop, not sleeping through a test.
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`the child did not stop within ${deadlineMs} ms`)
}

/** Starts `node --import tsx [--import <preload>] <script> ...args`. */
export function spawnTsx(script: string, args: string[], options: { preload?: string; env?: Record<string, string> } = {}): TsxChild {
  const imports = ['--import', 'tsx', ...(options.preload ? ['--import', options.preload] : [])]
  const child = spawn(process.execPath, [...imports, script, ...args], { env: childEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] })
  started.add(child)
  let out = ''
  const listeners = new Set<() => void>()
  const collect = (chunk: Buffer) => {
    out += chunk.toString()
    for (const listener of listeners) listener()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => {
      for (const listener of listeners) listener()
      resolve({ code, signal, out })
    })
  })
  return {
    child,
    output: () => out,
    done,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern)
          if (match) {
            listeners.delete(check)
            resolve(match)
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check)
            reject(new Error(`the child ended before printing ${String(pattern)}:\n${out}`))
          }
        }
        listeners.add(check)
        check()
      })
    },
  }
}

/** Runs a fixture to its end. */
export async function runTsx(script: string, args: string[], options: { preload?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; out: string }> {
  const { done } = spawnTsx(script, args, options)
  const { code, out } = await done
  return { code, out }
}
