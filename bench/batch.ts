/**
 * 6. Batch throughput: `ima batch` (the built bin, a child process) over a
 * file of prompts against `startImaServer()`, at concurrency 1, 4 and 16, in
 * generations per minute — beside the same number of `ima.generate()` calls
 * from one client at the same concurrency in this process, the floor a batch
 * cannot beat (the batch adds its quote, its summary writes, one create at a
 * time and a process start). The server's tasks take a fixed time, so the
 * figures show what the batch and the SDK add, not the service.
 *
 * Runs alone after a build: `npx tsx bench/batch.ts`.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cleanChildEnv, fixed, importDist, printTable, requireBuild, ROOT } from './lib/stats.js'

/** How long each local task takes, in ms: short, so the bench is quick, but long enough that waits overlap. */
const TASK_DURATION_MS = 1_000
const CONCURRENCIES = [1, 4, 16] as const

/** Lines per run: enough for each concurrency to fill its pool a few times. */
const linesFor = (concurrency: number) => Math.max(8, concurrency * 4)

function runBatch(file: string, concurrency: number, env: NodeJS.ProcessEnv): Promise<number> {
  const bin = resolve(ROOT, 'dist/cli/index.js')
  const started = performance.now()
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, 'batch', file, '--yes', '--quiet', '--concurrency', String(concurrency)], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolvePromise(performance.now() - started)
      else reject(new Error(`ima batch exited with ${code}: ${stderr.slice(-2000)}`))
    })
  })
}

export async function batchThroughput(): Promise<void> {
  requireBuild('dist/index.js', 'dist/testing/index.js', 'dist/cli/index.js')
  const { ImaClient } = await importDist.main()
  const { startImaServer } = await importDist.testing()
  const server = await startImaServer({ taskDurationMs: TASK_DURATION_MS })
  const folder = await mkdtemp(join(tmpdir(), 'ima-bench-batch-'))
  console.log(`6. Batch throughput: ima batch against startImaServer() (tasks take ${fixed(TASK_DURATION_MS / 1000, 1)} s), beside ima.generate() at the same concurrency`)
  const rows: string[][] = []
  try {
    const options = server.clientOptions
    const env = {
      ...cleanChildEnv(),
      HOME: folder,
      IMA_API_KEY: options.apiKey,
      IMA_BASE_URL: options.baseURL,
      IMA_IM_BASE_URL: options.uploadBaseURL,
      IMA_POLL_INTERVAL_MS: String(options.pollIntervalMs),
      IMA_JOURNAL_PATH: join(folder, 'journal.jsonl'),
      IMA_PREFS_FILE: join(folder, 'prefs.json'),
    }
    for (const concurrency of CONCURRENCIES) {
      const lines = linesFor(concurrency)
      const file = join(folder, `prompts-${concurrency}.jsonl`)
      await writeFile(file, Array.from({ length: lines }, (_, index) => JSON.stringify({ prompt: `bench line ${index}`, model: 'NB2', size: '1K' })).join('\n'))
      const batchMs = await runBatch(file, concurrency, env)

      const ima = new ImaClient(options)
      let next = 0
      const started = performance.now()
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < lines) {
            next += 1
            await ima.generate({ prompt: `direct line ${next}`, model: 'NB2', size: '1K' })
          }
        }),
      )
      const directMs = performance.now() - started
      const perMinute = (ms: number) => (lines / ms) * 60_000
      rows.push([String(concurrency), String(lines), fixed(perMinute(batchMs), 0), fixed(perMinute(directMs), 0), `${fixed(batchMs / directMs)}×`])
    }
  } finally {
    await server.close()
    await rm(folder, { recursive: true, force: true })
  }
  printTable(['concurrency', 'lines', 'ima batch, generations/min', 'ima.generate(), generations/min', 'batch time ÷ direct'], rows)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await batchThroughput()
