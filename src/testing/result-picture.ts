/**
 * Draws the result pictures: a smooth gradient with a simple pattern whose
 * colours come from a hash of the prompt, so different prompts visibly
 * differ and a demo shows something better than a blank square.
 */
import { createHash } from 'node:crypto'
import { encodePng } from './png.js'

type Rgb = [number, number, number]

function colourAt(bytes: Buffer, offset: number): Rgb {
  return [bytes[offset] ?? 0, bytes[offset + 1] ?? 0, bytes[offset + 2] ?? 0]
}

/** Draws picture `index` of a task for `prompt` and returns it as PNG bytes. */
export function renderResultPng(prompt: string, index: number, width: number, height: number): Buffer {
  const hash = createHash('sha256').update(prompt, 'utf8').digest()
  const from = colourAt(hash, 0)
  const to = colourAt(hash, 3)
  const accent = colourAt(hash, 6)
  const pattern = (hash[9] ?? 0) % 3
  // The period is relative to the picture, so the cover looks like the full image.
  const period = Math.max(2, Math.round((Math.max(width, height) / 256) * (12 + ((hash[10] ?? 0) % 36))))
  const shift = index * Math.round(period / 3)
  const centreX = width / 2
  const centreY = height / 2
  const rgb = new Uint8Array(width * height * 3)
  const spanX = Math.max(1, width - 1)
  const spanY = Math.max(1, height - 1)
  let o = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x / spanX + y / spanY) / 2
      let marked: boolean
      if (pattern === 0) {
        marked = Math.floor((x + y + shift) / period) % 2 === 0
      } else if (pattern === 1) {
        const distance = Math.hypot(x - centreX, y - centreY)
        marked = Math.floor((distance + shift) / period) % 2 === 0
      } else {
        marked = (Math.floor((x + shift) / period) + Math.floor(y / period)) % 2 === 0
      }
      const mix = marked ? 0.3 : 0
      for (let c = 0; c < 3; c++) {
        const base = (from[c] ?? 0) * (1 - t) + (to[c] ?? 0) * t
        rgb[o++] = Math.round(base * (1 - mix) + (accent[c] ?? 0) * mix)
      }
    }
  }
  return encodePng(width, height, rgb)
}
