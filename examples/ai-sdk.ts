/**
 * Generates an image through the Vercel AI SDK (`generateImage` from `ai`)
 * with IMA as the provider, and saves it.
 *
 *   npx tsx examples/ai-sdk.ts                    # no IMA_API_KEY: against the embedded local IMA server
 *   IMA_API_KEY=ima_… npx tsx examples/ai-sdk.ts  # against the real service (spends credits)
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { generateImage } from 'ai'
import { ImaClient, ImaError } from 'ima-open-sdk'
import { createIma, type ImaImageMetadata } from 'ima-open-sdk/ai-sdk'
import { startImaServer } from 'ima-open-sdk/testing'

const { values } = parseArgs({ options: { out: { type: 'string', default: 'examples/output' } } })
const outFolder = isAbsolute(values.out) ? values.out : resolve(process.env.INIT_CWD ?? process.cwd(), values.out)

// Without a key, run against the local IMA server shipped in ima-open-sdk/testing.
const local = process.env.IMA_API_KEY ? undefined : await startImaServer({ taskDurationMs: 500 })
// A client of your own, so its budget applies to every generateImage: here at most 50 points in all.
const client = new ImaClient({ ...local?.clientOptions, maxCredits: 50 })
const ima = createIma({ client })

try {
  const { image, providerMetadata, warnings } = await generateImage({
    model: ima.image('gemini-3.1-flash-image-preview'), // Nano Banana2, by the id @ai-sdk/google users know
    prompt: 'a lighthouse at dusk, watercolour',
    aspectRatio: '16:9',
    providerOptions: { ima: { size: '1K' } },
    maxRetries: 0, // an image task is billed when created: never let a retry create a second one
  })
  const [first] = (providerMetadata.ima as ImaImageMetadata).images
  await mkdir(outFolder, { recursive: true })
  const path = join(outFolder, `${first?.taskId ?? 'image'}.png`)
  await writeFile(path, image.uint8Array)
  console.log(`Saved ${path} (${image.uint8Array.length} bytes) — task ${first?.taskId}, ${first?.credit} points, ${first?.url}`)
  for (const warning of warnings) console.log('warning:', warning)
} catch (error) {
  // The SDK's own errors, with messages that say what to do: ValidationError, BudgetExceededError, CreateOutcomeUnknownError…
  if (error instanceof ImaError) console.error(`${error.name}: ${error.message}`)
  else throw error
  process.exitCode = 1
} finally {
  await local?.close()
}
