/**
 * Generates one image and saves it.
 *
 *   npm run demo                      # no IMA_API_KEY: against the embedded local IMA server
 *   IMA_API_KEY=ima_… npm run demo    # against the real service (spends credits)
 *   npm run demo -- "a lighthouse at dusk" --model doubao-seedream-4.5 --size 4k
 */
import { parseArgs } from 'node:util'
import { ImaClient, ImaError } from 'ima-open-sdk'
import { downloadResult } from 'ima-open-sdk/node'
import { startImaServer } from 'ima-open-sdk/testing'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: 'gemini-3-pro-image' },
    size: { type: 'string', default: '2K' },
    ratio: { type: 'string' },
    out: { type: 'string', default: 'examples/output' },
  },
})
const prompt = positionals.join(' ') || 'a red fox in fresh snow, golden hour'

// Without a key, run everything against the local IMA server shipped in ima-open-sdk/testing.
const LOCAL_TASK_MS = 4_000
const local = process.env.IMA_API_KEY ? undefined : await startImaServer({ taskDurationMs: LOCAL_TASK_MS })
const ima = local ? new ImaClient({ apiKey: local.apiKey, baseURL: local.url, uploadBaseURL: local.uploadURL }) : new ImaClient()

try {
  console.log(local ? `No IMA_API_KEY set: using the local IMA server at ${local.url}` : `Using ${ima.baseURL}`)
  const task = await ima.tasks.create({ model: values.model, prompt, size: values.size, aspectRatio: values.ratio })
  const [fastest, slowest] = task.estimatedSeconds
  console.log(`${task.model.name} (${task.model.version}), size ${task.size ?? 'default'}, ${task.credit} points — usually ${fastest}–${slowest} s. Task ${task.id}`)

  const waitOptions = local ? { intervalMs: 400, estimatedMaxMs: LOCAL_TASK_MS } : {}
  let url = ''
  for await (const event of ima.tasks.waitFor(task, waitOptions)) {
    console.log(`  ${event.type.padEnd(10)} ${String(event.percent).padStart(3)}%  ${(event.elapsedMs / 1000).toFixed(1)} s`)
    if (event.type === 'success') url = event.url
  }

  const saved = await downloadResult(url, `${values.out}/${task.id}.png`)
  const seconds = ((Date.now() - task.createdAt) / 1000).toFixed(1)
  console.log(`Saved ${saved.path} (${saved.bytes} bytes) — ${task.model.name}, ${task.credit} points, ${seconds} s`)
} catch (error) {
  console.error(error instanceof ImaError ? `${error.name}: ${error.message}` : error)
  process.exitCode = 1
} finally {
  await local?.close()
}
