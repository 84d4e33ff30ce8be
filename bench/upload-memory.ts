/**
 * Peak memory of streamed uploads: `npm run bench` (or `npx tsx bench/upload-memory.ts`).
 *
 * Writes a 10 MiB and a 100 MiB image file to a temporary directory (in 1 MiB
 * chunks, so writing them costs no memory either), uploads each through the
 * Node client with `maxUploadBytes` raised, samples the process's RSS every
 * 10 ms, and prints the peak above the baseline next to the file size. The
 * servers run in a child process (`bench/upload-server.ts`), so only the
 * client's memory is measured. A streamed upload's peak should stay roughly
 * flat as the file grows; a client that read the file whole would need at
 * least the file's size.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ImaClient } from '../src/node/index.js'

const MiB = 1024 * 1024
// Other sizes from the command line: `npx tsx bench/upload-memory.ts 10 100 400`.
const SIZES_MIB = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10, 100]
const LARGEST_MIB = Math.max(...SIZES_MIB)

async function writeImageFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path)
  const chunk = Buffer.alloc(MiB, 0x5a)
  for (let written = 0; written < size; written += chunk.length) {
    const piece = Buffer.from(chunk.subarray(0, Math.min(chunk.length, size - written)))
    // PNG magic numbers first: the client refuses anything that is not an image.
    if (written === 0) piece.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    if (!out.write(piece)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

// A real collection before each baseline: without it, garbage left by the previous step (the file
// writing, the warm-up) is collected at a random moment and the numbers jump by ±20 MiB between runs.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

function settle(): Promise<void> {
  collectGarbage()
  return new Promise((resolve) => setTimeout(resolve, 200))
}

const serverScript = fileURLToPath(new URL('./upload-server.ts', import.meta.url))
const child = spawn(process.execPath, ['--import', 'tsx', serverScript], { stdio: ['pipe', 'pipe', 'inherit'] })
const firstLine = (await once(createInterface({ input: child.stdout! }), 'line')) as [string]
const hosts = JSON.parse(firstLine[0]) as { baseURL: string; uploadURL: string; apiKey: string }

const dir = await mkdtemp(join(tmpdir(), 'ima-bench-'))
try {
  const ima = new ImaClient({
    apiKey: hosts.apiKey,
    baseURL: hosts.baseURL,
    uploadBaseURL: hosts.uploadURL,
    maxUploadBytes: (LARGEST_MIB + 1) * MiB,
    uploadCache: false,
    timeout: 120_000,
  })
  // One small upload first, so loading fetch (undici) and the first connection are not counted against the 10 MiB file.
  const warmUp = join(dir, 'warm-up.png')
  await writeImageFile(warmUp, MiB)
  await ima.uploads.put(warmUp)
  console.log(`Node ${process.version}; servers in child process ${child.pid}; RSS sampled every 10 ms, after a 1 MiB warm-up upload`)
  console.log('file size   peak RSS above baseline   ratio   time')
  for (const sizeMiB of SIZES_MIB) {
    const path = join(dir, `image-${sizeMiB}.png`)
    await writeImageFile(path, sizeMiB * MiB)
    await settle()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    const started = Date.now()
    const result = await ima.uploads.put(path)
    const elapsed = Date.now() - started
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    const stats = (await (await fetch(`${hosts.uploadURL}/stats`)).json()) as { lastPutBytes: number }
    if (stats.lastPutBytes !== sizeMiB * MiB || result.bytes !== sizeMiB * MiB) {
      throw new Error(`the server received ${stats.lastPutBytes} bytes, expected ${sizeMiB * MiB}`)
    }
    const above = (peak - baseline) / MiB
    console.log(
      `${`${sizeMiB} MiB`.padStart(9)}   ${`${above.toFixed(1)} MiB`.padStart(23)}   ${(above / sizeMiB).toFixed(3).padStart(5)}   ${(elapsed / 1000).toFixed(2)} s`,
    )
    await rm(path)
  }
} finally {
  child.stdin!.end()
  await rm(dir, { recursive: true, force: true })
}
