/**
 * Generates one image and saves it: `npm run demo -- --help` lists the flags.
 *
 *   npm run demo                      # no IMA_API_KEY: against the embedded local IMA server
 *   IMA_API_KEY=ima_… npm run demo    # against the real service (spends credits)
 *   npm run demo -- "a lighthouse at dusk" --model doubao-seedream-4.5 --ratio 16:9
 */
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { FULL_CATALOG_SCOPE, ImaClient, ImaError } from 'ima-open-sdk'
import { downloadResult } from 'ima-open-sdk/node'
import { startImaServer } from 'ima-open-sdk/testing'

const DEFAULT_MODEL = FULL_CATALOG_SCOPE.defaults.text_to_image
const DEFAULT_PROMPT = 'a red fox in fresh snow, golden hour'
const DEFAULT_LOCAL_TASK_MS = 1_000

const HELP = `Usage: npm run demo -- [prompt…] [--model <model>] [--size <size>] [--ratio <w:h>] [--out <folder>]

Generates one image and saves it as a PNG, printing the model, the credits and
each progress event. Without IMA_API_KEY it runs against an embedded local IMA
server (no key, no credits, a placeholder picture that shows what arrived);
with it, against the real service, which spends credits.

  prompt           what to draw (default: "${DEFAULT_PROMPT}")
  --model <model>  an id, name, alias (NB Pro, NB2, MJ) or tier (budget, premium, artistic);
                   default ${DEFAULT_MODEL}, the SDK's default model
  --size <size>    e.g. 2k, 4k (SeeDream), 512px, 1K, 2K, 4K (Nano Banana), 480p, 720p (Midjourney);
                   default the model's own default size
  --ratio <w:h>    e.g. 16:9, 9:16, 4:3; default the model's default (1:1)
  --out <folder>   where to save the PNG, relative to where you run the command (default examples/output)
  -h, --help       show this text

Environment:
  IMA_API_KEY           your key: generate on the real service instead of the local server
  IMA_BASE_URL          the API host (default https://api.imastudio.com)
  IMA_IM_BASE_URL       the upload host (default https://imapi.liveme.com)
  IMA_POLL_INTERVAL_MS  poll every this many ms instead of the model's schedule
  IMA_LOCAL_TASK_MS     how long a task takes on the local server (default ${DEFAULT_LOCAL_TASK_MS})
`

function readArguments() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        size: { type: 'string' },
        ratio: { type: 'string' },
        out: { type: 'string', default: 'examples/output' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    // A mistyped flag is a usage error: say which and where the flags are, not a stack trace.
    console.error(`${error instanceof Error ? error.message : String(error)}\nRun \`npm run demo -- --help\` for the flags.`)
    process.exit(2)
  }
}

const { values, positionals } = readArguments()
if (values.help) {
  console.log(HELP)
  process.exit(0)
}
const prompt = positionals.join(' ') || DEFAULT_PROMPT
// npm runs scripts from the package folder; INIT_CWD is where the user typed the command.
const outFolder = isAbsolute(values.out) ? values.out : resolve(process.env.INIT_CWD ?? process.cwd(), values.out)

// Without a key, run everything against the local IMA server shipped in ima-open-sdk/testing.
const localTaskMs = Number(process.env.IMA_LOCAL_TASK_MS || DEFAULT_LOCAL_TASK_MS)
if (!Number.isInteger(localTaskMs) || localTaskMs < 1) {
  console.error(`IMA_LOCAL_TASK_MS must be a whole number of milliseconds, got "${process.env.IMA_LOCAL_TASK_MS}"`)
  process.exit(2)
}
const local = process.env.IMA_API_KEY ? undefined : await startImaServer({ taskDurationMs: localTaskMs })
const ima = local ? new ImaClient(local.clientOptions) : new ImaClient()

try {
  console.log(local ? `No IMA_API_KEY set: using the local IMA server at ${local.url}` : `Using ${ima.baseURL}`)
  // Size and ratio only when asked for: each model has its own default size (SeeDream 2k, Midjourney 480p…).
  const task = await ima.tasks.create({
    model: values.model ?? DEFAULT_MODEL,
    prompt,
    ...(values.size ? { size: values.size } : {}),
    ...(values.ratio ? { aspectRatio: values.ratio } : {}),
  })
  const [fastest, slowest] = task.estimatedSeconds
  console.log(`${task.model.name} (${task.model.version}), size ${task.size ?? 'default'}, ${task.credit} points — usually ${fastest}–${slowest} s. Task ${task.id}`)

  // The percentage is elapsed time over the slowest expected time: locally, the server's task duration.
  let url = ''
  for await (const event of ima.tasks.waitFor(task, local ? { estimatedMaxMs: localTaskMs } : {})) {
    console.log(`  ${event.type.padEnd(10)} ${String(event.percent).padStart(3)}%  ${(event.elapsedMs / 1000).toFixed(1)} s`)
    if (event.type === 'success') url = event.url
  }

  const saved = await downloadResult(url, `${outFolder}/${task.id}.png`)
  const seconds = ((Date.now() - task.createdAt) / 1000).toFixed(1)
  console.log(`Saved ${saved.path} (${saved.bytes} bytes) — ${task.model.name}, ${task.credit} points, ${seconds} s`)
} catch (error) {
  console.error(error instanceof ImaError ? `${error.name}: ${error.message}` : error)
  process.exitCode = 1
} finally {
  await local?.close()
}
