/**
 * Draws the result pictures. Each one says what arrived: "LOCAL TEST IMAGE",
 * the model, the size and ratio, the real dimensions and the scale it is
 * shown at, the image index when n > 1, and for image_to_image a thumbnail of
 * each input (or, when the server cannot read it, a swatch, a tint and a
 * frame in colours from a hash of it). The background is a gradient with a
 * pattern whose colours come from a hash of all of that, so a different
 * prompt, model, size, index or input gives a visibly different picture and
 * the same request gives the same bytes (no clock, no randomness).
 */
import { createHash } from 'node:crypto'
import { drawText, GLYPH_HEIGHT, textWidth } from './bitmap-font.js'
import type { RgbCanvas } from './bitmap-font.js'
import type { Dimensions } from './image-dimensions.js'
import { ignoredRatio, ratioOf, scaleLabel } from './image-dimensions.js'
import { encodePng } from './png.js'
import type { DecodedPng } from './png-decode.js'

/** One input image of an image_to_image task, as far as the server could read it. */
export interface ResultPictureInput {
  /** Hex SHA-256 of the input's bytes, or of its URL when the bytes are unknown. */
  fingerprint: string
  /** Short upper-case format: 'PNG', 'JPEG', 'WEBP'…, 'URL' (not hosted here), 'MISSING' (hosted, not found). */
  format: string
  /** The pixels, when the server could decode the input (perhaps a smaller copy, see {@link thumbnailPixels}). */
  pixels?: DecodedPng
  /** The input's own width and height, when decoded. */
  dimensions?: Dimensions
}

/** What a result picture shows: the task's parameters as received. */
export interface ResultPictureRequest {
  prompt: string
  taskType: string
  /** `model_name` as sent, e.g. 'Nano Banana2'. */
  modelName: string
  modelId: string
  modelVersion: string
  /** The `size` parameter as sent, '' when none. */
  size: string
  /** The `aspect_ratio` parameter as sent, if any. */
  aspectRatio?: string
  /** The dimensions the service would produce (before scaling down). */
  requested: Dimensions
  /** 0-based index of this picture among the task's `n`. */
  index: number
  n: number
  inputs: readonly ResultPictureInput[]
}

type Rgb = [number, number, number]

const TITLE = 'LOCAL TEST IMAGE'
const TITLE_COLOUR: Rgb = [255, 226, 92]
const TEXT_COLOUR: Rgb = [255, 255, 255]
/** Most input slots drawn; more inputs are still hashed into the colours. */
const MAX_INPUT_SLOTS = 4
const MAX_PROMPT_CHARACTERS = 40
/** Decoded inputs are kept at most this large: a thumbnail needs no more. */
const THUMBNAIL_SOURCE_SIDE = 512

function colourAt(bytes: Uint8Array, offset: number): Rgb {
  return [bytes[offset] ?? 0, bytes[offset + 1] ?? 0, bytes[offset + 2] ?? 0]
}

function mix(a: Rgb, b: Rgb, amount: number): Rgb {
  return [0, 1, 2].map((c) => (a[c] ?? 0) * (1 - amount) + (b[c] ?? 0) * amount) as Rgb
}

/**
 * Shrinks decoded pixels (nearest neighbour) so the longest side is at most
 * 512, to keep in memory what a thumbnail needs rather than a 4K input.
 *
 * @example
 * ```ts
 * import { decodePng } from './png-decode.js'
 * import { thumbnailPixels } from './result-picture.js'
 * const decoded = decodePng(bytes)
 * const input = { fingerprint, format: 'PNG', pixels: thumbnailPixels(decoded), dimensions: { width: decoded.width, height: decoded.height } }
 * ```
 */
export function thumbnailPixels(image: DecodedPng): DecodedPng {
  const longest = Math.max(image.width, image.height)
  if (longest <= THUMBNAIL_SOURCE_SIDE) return image
  const width = Math.max(1, Math.round((image.width * THUMBNAIL_SOURCE_SIDE) / longest))
  const height = Math.max(1, Math.round((image.height * THUMBNAIL_SOURCE_SIDE) / longest))
  const rgba = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(((y + 0.5) * image.height) / height)
    for (let x = 0; x < width; x++) {
      const sx = Math.floor(((x + 0.5) * image.width) / width)
      const from = (sy * image.width + sx) * 4
      rgba.set(image.rgba.subarray(from, from + 4), (y * width + x) * 4)
    }
  }
  return { width, height, rgba }
}

/** How an input is described on the picture and in the metadata. */
function describeInput(input: ResultPictureInput): string {
  const dimensions = input.dimensions ?? input.pixels
  if (dimensions) return `${input.format} ${dimensions.width}×${dimensions.height}`
  if (input.format === 'URL') return 'URL NOT HOSTED HERE'
  if (input.format === 'MISSING') return 'FILE NOT FOUND HERE'
  return `${input.format}, NOT DECODED`
}

/** The facts written on a picture and into its tEXt chunks. */
interface Labels {
  ratio: string
  ignored: string | undefined
  scale: string
  lines: string[]
}

function labelsFor(request: ResultPictureRequest, shown: Dimensions): Labels {
  const { requested } = request
  const ratio = ratioOf(requested)
  const ignored = ignoredRatio({ aspect_ratio: request.aspectRatio }, requested)
  const scale = scaleLabel(requested, shown)
  const lines = [
    request.modelName || request.modelId,
    `SIZE ${request.size || 'DEFAULT'}, RATIO ${ratio}${ignored ? ` (${ignored} IGNORED)` : ''}`,
    `${requested.width}×${requested.height} ${scale === '1' ? 'AT FULL SIZE' : `SHOWN AT ${scale}`}`,
  ]
  if (request.n > 1) lines.push(`IMAGE ${request.index + 1} OF ${request.n}`)
  if (request.inputs.length === 1 && request.inputs[0]) lines.push(`FROM INPUT: ${describeInput(request.inputs[0])}`)
  if (request.inputs.length > 1) lines.push(`FROM ${request.inputs.length} INPUT IMAGES`)
  const prompt = [...request.prompt.replace(/\s+/g, ' ').trim()]
  const shortPrompt = prompt.length > MAX_PROMPT_CHARACTERS ? `${prompt.slice(0, MAX_PROMPT_CHARACTERS - 1).join('')}…` : prompt.join('')
  lines.push(`"${shortPrompt}"`)
  return { ratio, ignored, scale, lines: lines.map((line) => line.toUpperCase()) }
}

function metadataFor(request: ResultPictureRequest, labels: Labels): Record<string, string> {
  const { requested } = request
  const summary = `${request.modelName}, size ${request.size || 'default'}, ratio ${labels.ratio}, ${requested.width}x${requested.height} shown at ${labels.scale}`
  const text: Record<string, string> = {
    Software: 'ima-open-sdk local server',
    Comment: `LOCAL TEST IMAGE: a placeholder drawn by the ima-open-sdk local server, not a generated picture (${summary})`,
    'ima:task-type': request.taskType,
    'ima:model': request.modelName,
    'ima:model-id': request.modelId,
    'ima:model-version': request.modelVersion,
    'ima:size': request.size,
    'ima:ratio': labels.ratio,
    'ima:requested-width': String(requested.width),
    'ima:requested-height': String(requested.height),
    'ima:scale': labels.scale,
    'ima:index': String(request.index),
    'ima:n': String(request.n),
  }
  if (request.aspectRatio !== undefined) text['ima:aspect-ratio'] = request.aspectRatio
  if (labels.ignored) text['ima:ignored-aspect-ratio'] = labels.ignored
  if (request.inputs.length > 0) {
    text['ima:inputs'] = request.inputs.map((input) => `${describeInput(input)} sha256:${input.fingerprint.slice(0, 16)}`).join('; ')
  }
  return text
}

/** Parity (0 or 1) of `floor((v + shift) / period)` for every v up to `length`, to test stripes by lookup. */
function bandParity(length: number, shift: number, period: number): Uint8Array {
  const parity = new Uint8Array(length + 1)
  for (let v = 0; v <= length; v++) parity[v] = Math.floor((v + shift) / period) & 1
  return parity
}

/**
 * The gradient and pattern behind everything. Colour = from + (to - from) × t
 * with t linear in x and y, and marked pixels lean 30% to the accent: both
 * are linear, so each is a row term plus a column term, kept in 16.16 fixed
 * point so the loop over a million pixels is integer adds and a lookup.
 */
function fillBackground(canvas: RgbCanvas, seed: Uint8Array, from: Rgb, to: Rgb, accent: Rgb): void {
  const { width, height, rgb } = canvas
  const pattern = (seed[9] ?? 0) % 4
  // The period is relative to the picture, so the cover looks like the full image.
  const period = Math.max(2, Math.round((Math.max(width, height) / 256) * (12 + ((seed[10] ?? 0) % 36))))
  const shift = Math.round((period * ((seed[11] ?? 0) % 8)) / 8)
  const kx = 1 / (2 * Math.max(1, width - 1))
  const ky = 1 / (2 * Math.max(1, height - 1))
  const ONE = 65536
  const plainColumn = new Int32Array(width * 3)
  const markedColumn = new Int32Array(width * 3)
  for (let x = 0; x < width; x++) {
    for (let c = 0; c < 3; c++) {
      const term = ((to[c] ?? 0) - (from[c] ?? 0)) * x * kx
      plainColumn[x * 3 + c] = Math.round(term * ONE)
      markedColumn[x * 3 + c] = Math.round(term * 0.7 * ONE)
    }
  }
  const parity = bandParity(width + height, shift, period)
  const columnParity = bandParity(width, shift, period)
  const centreX = Math.floor(width / 2)
  const centreY = Math.floor(height / 2)
  const plainRow = [0, 0, 0]
  const markedRow = [0, 0, 0]
  // Which pixels of the current row are marked, filled by one tight loop per pattern.
  const bands = new Uint8Array(width)
  let o = 0
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < 3; c++) {
      const base = (from[c] ?? 0) + ((to[c] ?? 0) - (from[c] ?? 0)) * y * ky
      // + 0.5 rounds to nearest and keeps fixed-point error from going below 0 (which would wrap to 255).
      plainRow[c] = Math.round((base + 0.5) * ONE)
      markedRow[c] = Math.round((base * 0.7 + (accent[c] ?? 0) * 0.3 + 0.5) * ONE)
    }
    const dy = y - centreY
    const ady = Math.abs(dy)
    if (pattern === 0) bands.set(parity.subarray(y, y + width))
    else if (pattern === 1) {
      for (let x = 0; x < width; x++) bands[x] = Math.floor((Math.sqrt((x - centreX) * (x - centreX) + dy * dy) + shift) / period) & 1
    } else if (pattern === 2) {
      const rowParity = Math.floor(y / period) & 1
      for (let x = 0; x < width; x++) bands[x] = (columnParity[x] as number) ^ rowParity
    } else {
      for (let x = 0; x < width; x++) bands[x] = parity[Math.abs(x - centreX) + ady] as number
    }
    const [pr = 0, pg = 0, pb = 0] = plainRow
    const [mr = 0, mg = 0, mb = 0] = markedRow
    for (let x = 0, t = 0; x < width; x++, t += 3) {
      if (bands[x] === 0) {
        rgb[o++] = (mr + (markedColumn[t] as number)) >> 16
        rgb[o++] = (mg + (markedColumn[t + 1] as number)) >> 16
        rgb[o++] = (mb + (markedColumn[t + 2] as number)) >> 16
      } else {
        rgb[o++] = (pr + (plainColumn[t] as number)) >> 16
        rgb[o++] = (pg + (plainColumn[t + 1] as number)) >> 16
        rgb[o++] = (pb + (plainColumn[t + 2] as number)) >> 16
      }
    }
  }
}

/** A rectangle rounded to whole pixels and clipped to the canvas: `[x0, y0, x1, y1)`. */
function clipRect(canvas: RgbCanvas, x: number, y: number, w: number, h: number): [number, number, number, number] {
  return [Math.max(0, Math.round(x)), Math.max(0, Math.round(y)), Math.min(canvas.width, Math.round(x + w)), Math.min(canvas.height, Math.round(y + h))]
}

function fillRect(canvas: RgbCanvas, x: number, y: number, w: number, h: number, colour: Rgb): void {
  const [x0, y0, x1, y1] = clipRect(canvas, x, y, w, h)
  for (let py = y0; py < y1; py++) {
    let o = (py * canvas.width + x0) * 3
    for (let px = x0; px < x1; px++) {
      canvas.rgb[o++] = colour[0]
      canvas.rgb[o++] = colour[1]
      canvas.rgb[o++] = colour[2]
    }
  }
}

/** Darkens a rectangle to 30%, so white text reads on any background. */
function darkenRect(canvas: RgbCanvas, x: number, y: number, w: number, h: number): void {
  const [x0, y0, x1, y1] = clipRect(canvas, x, y, w, h)
  for (let py = y0; py < y1; py++) {
    let o = (py * canvas.width + x0) * 3
    for (let i = 0; i < (x1 - x0) * 3; i++, o++) canvas.rgb[o] = ((canvas.rgb[o] ?? 0) * 77) >> 8
  }
}

/** A band of `thickness` pixels along the inside of the rectangle. */
function strokeRect(canvas: RgbCanvas, x: number, y: number, w: number, h: number, thickness: number, colour: Rgb): void {
  fillRect(canvas, x, y, w, thickness, colour)
  fillRect(canvas, x, y + h - thickness, w, thickness, colour)
  fillRect(canvas, x, y, thickness, h, colour)
  fillRect(canvas, x + w - thickness, y, thickness, h, colour)
}

/** Draws the input scaled to fit the box (nearest neighbour), alpha over a grey checkerboard. */
function drawThumbnail(canvas: RgbCanvas, image: DecodedPng, boxX: number, boxY: number, boxSide: number): void {
  const factor = Math.min(boxSide / image.width, boxSide / image.height)
  const w = Math.max(1, Math.round(image.width * factor))
  const h = Math.max(1, Math.round(image.height * factor))
  const left = Math.round(boxX + (boxSide - w) / 2)
  const top = Math.round(boxY + (boxSide - h) / 2)
  const tile = Math.max(2, Math.round(boxSide / 16))
  for (let y = Math.max(0, top); y < Math.min(canvas.height, top + h); y++) {
    const sy = Math.min(image.height - 1, Math.floor(((y - top + 0.5) * image.height) / h))
    for (let x = Math.max(0, left); x < Math.min(canvas.width, left + w); x++) {
      const sx = Math.min(image.width - 1, Math.floor(((x - left + 0.5) * image.width) / w))
      const from = (sy * image.width + sx) * 4
      const alpha = (image.rgba[from + 3] ?? 255) / 255
      const checker = (Math.floor((x - left) / tile) + Math.floor((y - top) / tile)) % 2 === 0 ? 200 : 150
      const o = (y * canvas.width + x) * 3
      for (let c = 0; c < 3; c++) canvas.rgb[o + c] = Math.round((image.rgba[from + c] ?? 0) * alpha + checker * (1 - alpha))
    }
  }
}

/** Input slots along the bottom; returns the y where they start (the text must stay above). */
function drawInputs(canvas: RgbCanvas, inputs: readonly ResultPictureInput[], inset: number): number {
  const shown = inputs.slice(0, MAX_INPUT_SLOTS)
  if (shown.length === 0) return canvas.height - inset
  const { width, height } = canvas
  const gap = Math.max(2, Math.round(Math.min(width, height) / 40))
  const fitAcross = Math.floor((width - 2 * inset - (shown.length + 1) * gap) / shown.length)
  const side = Math.max(1, Math.min(Math.round(Math.min(width, height) * (shown.length === 1 ? 0.4 : 0.3)), fitAcross))
  const rowWidth = shown.length * side + (shown.length - 1) * gap
  const top = height - inset - gap - side
  let left = Math.round((width - rowWidth) / 2)
  const border = Math.max(1, Math.round(side / 48))
  for (const input of shown) {
    const hash = Buffer.from(input.fingerprint.slice(0, 12), 'hex')
    const main = colourAt(hash, 0)
    const second = colourAt(hash, 3)
    if (input.pixels) {
      fillRect(canvas, left, top, side, side, [40, 40, 40])
      drawThumbnail(canvas, input.pixels, left, top, side)
    } else {
      // A swatch in the input's colours with diagonal stripes, and its format written across.
      fillRect(canvas, left, top, side, side, main)
      const stripe = Math.max(2, Math.round(side / 8))
      for (let y = Math.max(0, top); y < Math.min(height, top + side); y++) {
        for (let x = Math.max(0, left); x < Math.min(width, left + side); x++) {
          if (Math.floor((x - left + y - top) / stripe) % 2 !== 0) continue
          const o = (y * width + x) * 3
          canvas.rgb.set(second, o)
        }
      }
      const scale = Math.max(1, Math.floor((side * 0.8) / Math.max(1, textWidth(input.format, 1))))
      const labelWidth = textWidth(input.format, scale)
      const labelX = left + (side - labelWidth) / 2
      const labelY = top + (side - GLYPH_HEIGHT * scale) / 2
      darkenRect(canvas, labelX - scale, labelY - scale, labelWidth + 2 * scale, (GLYPH_HEIGHT + 2) * scale)
      drawText(canvas, input.format, labelX, labelY, scale, TEXT_COLOUR)
    }
    strokeRect(canvas, left, top, side, side, border, [255, 255, 255])
    left += side + gap
  }
  return top
}

/** Picks text scales so the title and lines fit the width and the height above the inputs, dropping lines last to first if they cannot. */
function layoutText(lines: readonly string[], width: number, height: number): { title: number; body: number; lines: string[] } {
  const titleFit = Math.max(1, Math.floor((width * 0.85) / textWidth(TITLE, 1)))
  const longest = Math.max(1, ...lines.map((line) => textWidth(line, 1)))
  const bodyFit = Math.max(1, Math.floor((width * 0.9) / longest))
  let kept = [...lines]
  const measure = (title: number, body: number, count: number): number =>
    GLYPH_HEIGHT * title + 3 * title + count * (GLYPH_HEIGHT + 3) * body + 2 * body
  for (;;) {
    for (let body = Math.min(bodyFit, Math.max(1, Math.floor(titleFit / 2))); body >= 1; body--) {
      const title = Math.max(body, Math.min(titleFit, body * 2))
      if (measure(title, body, kept.length) <= height) return { title, body, lines: kept }
    }
    if (kept.length === 0) return { title: 1, body: 1, lines: kept }
    kept = kept.slice(0, -1)
  }
}

function drawLabels(canvas: RgbCanvas, lines: readonly string[], top: number, bottom: number): void {
  const layout = layoutText(lines, canvas.width, Math.max(0, bottom - top))
  const pad = layout.body * 2
  const titleWidth = textWidth(TITLE, layout.title)
  const panelWidth = Math.max(titleWidth, ...layout.lines.map((line) => textWidth(line, layout.body))) + 2 * pad
  const panelHeight =
    GLYPH_HEIGHT * layout.title + 3 * layout.title + layout.lines.length * (GLYPH_HEIGHT + 3) * layout.body + pad - 3 * layout.body + 2 * pad
  const panelX = Math.round((canvas.width - panelWidth) / 2)
  darkenRect(canvas, panelX, top, panelWidth, panelHeight)
  let y = top + pad
  drawText(canvas, TITLE, (canvas.width - titleWidth) / 2, y, layout.title, TITLE_COLOUR)
  y += GLYPH_HEIGHT * layout.title + 3 * layout.title
  for (const line of layout.lines) {
    drawText(canvas, line, panelX + pad, y, layout.body, TEXT_COLOUR)
    y += (GLYPH_HEIGHT + 3) * layout.body
  }
}

/**
 * Draws picture `request.index` of a task at `width` × `height` (the served
 * size, or a cover's) and returns it as PNG bytes with tEXt metadata.
 *
 * @example
 * ```ts
 * import { renderResultPng } from './result-picture.js'
 * const png = renderResultPng(
 *   {
 *     prompt: 'a fox', taskType: 'text_to_image', modelName: 'Nano Banana2', modelId: 'gemini-3.1-flash-image',
 *     modelVersion: 'gemini-3.1-flash-image-preview', size: '2K', aspectRatio: '16:9',
 *     requested: { width: 2048, height: 1152 }, index: 0, n: 1, inputs: [],
 *   },
 *   1024,
 *   576,
 * )
 * ```
 */
export function renderResultPng(request: ResultPictureRequest, width: number, height: number): Buffer {
  const seed = createHash('sha256')
    .update(
      JSON.stringify([
        request.prompt,
        request.taskType,
        request.modelId,
        request.modelVersion,
        request.size,
        request.aspectRatio ?? null,
        request.requested.width,
        request.requested.height,
        request.index,
        request.inputs.map((input) => input.fingerprint),
      ]),
      'utf8',
    )
    .digest()
  let from = colourAt(seed, 0)
  let to = colourAt(seed, 3)
  let accent = colourAt(seed, 6)
  const inputHash = request.inputs.length > 0 ? createHash('sha256').update(request.inputs.map((i) => i.fingerprint).join(',')).digest() : undefined
  const inputMain = inputHash ? colourAt(inputHash, 0) : undefined
  if (inputMain && request.inputs.every((input) => !input.pixels)) {
    // Nothing of the input can be shown, so its colours take over the picture.
    from = mix(from, inputMain, 0.5)
    to = mix(to, inputMain, 0.5)
    accent = inputHash ? colourAt(inputHash, 3) : accent
  }
  const canvas: RgbCanvas = { width, height, rgb: new Uint8Array(width * height * 3) }
  fillBackground(canvas, seed, from, to, accent)

  let inset = 0
  if (inputHash && inputMain) {
    const frame = Math.max(2, Math.round(Math.min(width, height) / 40))
    strokeRect(canvas, 0, 0, width, height, frame, inputMain)
    strokeRect(canvas, frame, frame, width - 2 * frame, height - 2 * frame, Math.max(1, Math.round(frame / 3)), colourAt(inputHash, 3))
    inset = frame + Math.max(1, Math.round(frame / 3))
  }
  const inputsTop = drawInputs(canvas, request.inputs, inset)
  const shown = { width, height }
  const labels = labelsFor(request, shown)
  const margin = inset + Math.max(1, Math.round(Math.min(width, height) / 40))
  drawLabels(canvas, labels.lines, margin, inputsTop - Math.max(1, Math.round(Math.min(width, height) / 80)))
  return encodePng(width, height, canvas.rgb, metadataFor(request, labels))
}
