/**
 * A tiny 5×7 bitmap font, so the local server can write on its result
 * pictures without a font file or a native module. Upper-case letters,
 * digits and the punctuation the labels need; lower case is drawn upper
 * case and anything else as '?'.
 */

/** Width of a glyph in font pixels. */
export const GLYPH_WIDTH = 5
/** Height of a glyph in font pixels. */
export const GLYPH_HEIGHT = 7
/** Horizontal distance from one glyph to the next, in font pixels (one blank column). */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1

// Each glyph is seven rows of five cells, '#' lit, '.' blank, rows separated by spaces.
const GLYPH_ROWS: Record<string, string> = {
  ' ': '..... ..... ..... ..... ..... ..... .....',
  A: '.###. #...# #...# #...# ##### #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# #...# .#.#. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  '"': '.#.#. .#.#. .#.#. ..... ..... ..... .....',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  $: '..#.. .#### #.#.. .###. ..#.# ####. ..#..',
  '%': '##... ##..# ...#. ..#.. .#... #..## ...##',
  '&': '.##.. #..#. #.#.. .#... #.#.# #..#. .##.#',
  "'": '.##.. ..#.. .#... ..... ..... ..... .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '*': '..... ..#.. #.#.# .###. #.#.# ..#.. .....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  '-': '..... ..... ..... ##### ..... ..... .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  '/': '..... ....# ...#. ..#.. .#... #.... .....',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  ';': '..... .##.. .##.. ..... .##.. ..#.. .#...',
  '<': '...#. ..#.. .#... #.... .#... ..#.. ...#.',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '>': '.#... ..#.. ...#. ....# ...#. ..#.. .#...',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  '@': '.###. #...# ....# .##.# #.#.# #.#.# .###.',
  '[': '.###. .#... .#... .#... .#... .#... .###.',
  '\\': '..... #.... .#... ..#.. ...#. ....# .....',
  ']': '.###. ...#. ...#. ...#. ...#. ...#. .###.',
  _: '..... ..... ..... ..... ..... ..... #####',
  '|': '..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  '×': '..... #...# .#.#. ..#.. .#.#. #...# .....',
  '…': '..... ..... ..... ..... ..... ..... #.#.#',
}

/** Lit cells of each glyph, one bit per cell, row-major from the top left. */
const GLYPHS: ReadonlyMap<string, readonly boolean[]> = new Map(
  Object.entries(GLYPH_ROWS).map(([character, rows]) => {
    const cells = rows.split(' ')
    if (cells.length !== GLYPH_HEIGHT || cells.some((row) => row.length !== GLYPH_WIDTH)) {
      // A typo in the table above, caught when the module loads rather than as a garbled label.
      throw new Error(`bitmap-font: glyph ${JSON.stringify(character)} must be ${GLYPH_HEIGHT} rows of ${GLYPH_WIDTH} cells`)
    }
    return [character, cells.join('').split('').map((cell) => cell === '#')]
  }),
)

const UNKNOWN_GLYPH = GLYPHS.get('?') ?? []

/**
 * Width in output pixels of `text` drawn at `scale` (no trailing gap).
 *
 * @example
 * ```ts
 * import { textWidth } from './bitmap-font.js'
 * textWidth('LOCAL', 2) // 58: five glyphs of 6 columns, less the last blank, times 2
 * ```
 */
export function textWidth(text: string, scale: number): number {
  const length = [...text].length
  return length === 0 ? 0 : (length * GLYPH_ADVANCE - 1) * scale
}

/** A canvas of RGB bytes, row by row, that text can be drawn on. */
export interface RgbCanvas {
  width: number
  height: number
  /** width × height × 3 bytes. */
  rgb: Uint8Array
}

/**
 * Draws `text` with its top-left corner at (x, y), each font pixel a
 * `scale` × `scale` square of `colour`. Parts outside the canvas are clipped.
 *
 * @example
 * ```ts
 * import { drawText } from './bitmap-font.js'
 * const canvas = { width: 64, height: 16, rgb: new Uint8Array(64 * 16 * 3) }
 * drawText(canvas, 'HELLO', 1, 1, 2, [255, 255, 255])
 * ```
 */
export function drawText(
  canvas: RgbCanvas,
  text: string,
  x: number,
  y: number,
  scale: number,
  colour: readonly [number, number, number],
): void {
  const { width, height, rgb } = canvas
  let left = Math.round(x)
  const top = Math.round(y)
  const [r, g, b] = colour
  for (const character of text) {
    const glyph = GLYPHS.get(character) ?? GLYPHS.get(character.toUpperCase()) ?? UNKNOWN_GLYPH
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let column = 0; column < GLYPH_WIDTH; column++) {
        if (!glyph[row * GLYPH_WIDTH + column]) continue
        const x0 = Math.max(0, left + column * scale)
        const x1 = Math.min(width, left + (column + 1) * scale)
        const y0 = Math.max(0, top + row * scale)
        const y1 = Math.min(height, top + (row + 1) * scale)
        for (let py = y0; py < y1; py++) {
          let o = (py * width + x0) * 3
          for (let px = x0; px < x1; px++) {
            rgb[o++] = r
            rgb[o++] = g
            rgb[o++] = b
          }
        }
      }
    }
    left += GLYPH_ADVANCE * scale
  }
}
