/**
 * Spawning the bundled `ima` (ima-process.ts) with a clean environment: none
 * of the caller's IMA_* variables, HOME and every file the CLI writes in a
 * temp folder, stdout and stderr collected.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import type { ImaProcess } from './ima-process.js'

// A test that fails before it stops its child (an `ima serve`, a wait) must not leave it running past the file.
const running = new Set<ChildProcess>()
afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
})

/** How a run ended and what it printed. */
export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** The environment of a run: HOME (so the skills' log and memory folders), prefs file and task journal in `home`. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('IMA_')) env[name] = value
  return { ...env, HOME: home, USERPROFILE: home, IMA_PREFS_FILE: join(home, 'prefs.json'), IMA_JOURNAL_PATH: join(home, 'ima_tasks.jsonl'), NO_COLOR: '1', ...extra }
}

/** Starts `ima args…`; `done` resolves when it exits. */
export function startIma(imaProcess: ImaProcess, args: string[], env: NodeJS.ProcessEnv, cwd?: string): { child: ChildProcess; run: Run; done: Promise<Run> } {
  const child = spawn(process.execPath, [...imaProcess.nodeArgs, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const run: Run = { code: null, stdout: '', stderr: '' }
  running.add(child)
  child.on('exit', () => running.delete(child))
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk))
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code) => {
      run.code = code
      resolve(run)
    }),
  )
  return { child, run, done }
}
