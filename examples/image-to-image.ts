/**
 * Turns a local image into a new one (image_to_image) and saves the result.
 *
 *   npx tsx examples/image-to-image.ts                       # no IMA_API_KEY: the embedded local IMA server, a generated sample PNG
 *   npx tsx examples/image-to-image.ts ./photo.jpg "as a watercolour"
 *   IMA_API_KEY=ima_… npx tsx examples/image-to-image.ts ./photo.jpg   # the real service (spends credits)
 *
 * The local file is uploaded first (its type read from its bytes, streamed,
 * size-checked); the task then gets the uploaded image's https URL.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { crc32, deflateSync } from 'node:zlib'
import { ImaError } from 'ima-open-sdk'
import { downloadResult, ImaClient } from 'ima-open-sdk/node'
import { startImaServer } from 'ima-open-sdk/testing'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: 'doubao-seedream-4.5' },
    out: { type: 'string', default: 'examples/output' },
  },
})
const [inputArg, ...promptWords] = positionals
const prompt = promptWords.join(' ') || 'the same scene as a watercolour painting'

/** A small RGB PNG (a colour gradient), so the example runs without any image at hand. */
function samplePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const out = Buffer.alloc(data.length + 12)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc32(body) >>> 0, data.length + 8)
    return out
  }
  const rows = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = y * (width * 3 + 1) + 1 + x * 3
      rows[at] = Math.round((x / width) * 255)
      rows[at + 1] = Math.round((y / height) * 255)
      rows[at + 2] = 160
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))])
}

// Without a key, run everything against the local IMA server shipped in ima-open-sdk/testing.
const LOCAL_TASK_MS = 1_000
const local = process.env.IMA_API_KEY ? undefined : await startImaServer({ taskDurationMs: LOCAL_TASK_MS })
const ima = local ? new ImaClient(local.clientOptions) : new ImaClient()

try {
  console.log(local ? `No IMA_API_KEY set: using the local IMA server at ${local.url}` : `Using ${ima.baseURL}`)
  let input = inputArg
  if (input === undefined) {
    await mkdir(values.out, { recursive: true })
    input = join(values.out, 'sample-input.png')
    await writeFile(input, samplePng(256, 192))
    console.log(`No input image given: wrote a sample PNG to ${input}`)
  }

  ima.on('upload.progress', ({ bytesSent, totalBytes }) => {
    if (totalBytes) console.log(`  uploading ${basename(input)}: ${Math.round((bytesSent / totalBytes) * 100)}%`)
  })
  const uploaded = await ima.uploads.put(input)
  console.log(`Uploaded ${uploaded.bytes} bytes as ${uploaded.contentType}: ${uploaded.url}`)

  // The path works directly too: the upload above is remembered, so it is not sent twice.
  const task = await ima.tasks.create({ model: values.model, prompt, inputImages: [input] })
  const [fastest, slowest] = task.estimatedSeconds
  console.log(`${task.model.name} (${task.model.version}), ${task.taskType}, ${task.credit} points — usually ${fastest}–${slowest} s. Task ${task.id}`)

  // The percentage is elapsed time over the slowest expected time: locally, the server's task duration.
  let url = ''
  for await (const event of ima.tasks.waitFor(task, local ? { estimatedMaxMs: LOCAL_TASK_MS } : {})) {
    console.log(`  ${event.type.padEnd(10)} ${String(event.percent).padStart(3)}%  ${(event.elapsedMs / 1000).toFixed(1)} s`)
    if (event.type === 'success') url = event.url
  }

  const saved = await downloadResult(url, `${values.out}/${task.id}.png`)
  console.log(`Saved ${saved.path} (${saved.bytes} bytes) — from ${input}, ${task.credit} points`)
} catch (error) {
  console.error(error instanceof ImaError ? `${error.name}: ${error.message}` : error)
  process.exitCode = 1
} finally {
  await local?.close()
}
