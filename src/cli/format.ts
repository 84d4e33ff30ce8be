/**
 * Plain-text tables and the JSON shapes the CLI prints. JSON keys are
 * snake_case, like the reference script's output that agents already parse.
 */
import type { ModelInfo } from '../catalog/capabilities.js'
import type { GenerateResult } from '../client.js'
import type { ImaLanguage } from '../http/transport-options.js'
import { wordsFor } from './messages.js'

/** Characters a terminal draws two columns wide: CJK ideographs, kana, Hangul and full-width forms (`--language zh` tables). */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/

/** How many terminal columns a cell takes. */
function columns(text: string): number {
  let width = 0
  for (const character of text) width += WIDE.test(character) ? 2 : 1
  return width
}

/** Left-aligned columns separated by two spaces; the header underlined with dashes. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(columns(header), ...rows.map((row) => columns(row[column] ?? ''))))
  const pad = (cell: string, width: number) => `${cell}${' '.repeat(Math.max(0, width - columns(cell)))}`
  const line = (cells: readonly string[]) => cells.map((cell, column) => pad(cell, widths[column] ?? 0)).join('  ').trimEnd()
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

/** The models table of `ima models` and `--list-models`, in the language of `--language`. */
export function modelsTable(models: readonly ModelInfo[], language: ImaLanguage = 'en'): string {
  const words = wordsFor(language)
  const rows = models.map((model) => [
    model.name,
    model.modelId,
    model.versionId ?? '—',
    model.sizes.length > 0 ? model.sizes.map((offer) => `${offer.size} ${words.points(offer.points)}`).join(', ') : '—',
    model.aspectRatios.length > 0 ? model.aspectRatios.join(' ') : '—',
    words.seconds(`${model.estimatedSeconds[0]}–${model.estimatedSeconds[1]}`),
  ])
  return renderTable(words.modelsHeaders, rows)
}

/** A model as JSON (`--json`, `--list-models --output-json`). */
export function modelJson(model: ModelInfo): Record<string, unknown> {
  return {
    model_id: model.modelId,
    name: model.name,
    task_type: model.taskType,
    version_id: model.versionId ?? null,
    sizes: model.sizes.map((offer) => ({ size: offer.size, points: offer.points, attribute_id: offer.attributeId })),
    aspect_ratios: model.aspectRatios,
    estimated_seconds: [...model.estimatedSeconds],
  }
}

/**
 * The reference script's `--output-json` object: exactly these keys, in this
 * order. `credit` is what the task cost (points × n; n is 1 unless asked);
 * `cover_url` is null when the service gave none.
 */
export function referenceJson(result: GenerateResult): {
  task_id: string
  url: string
  cover_url: string | null
  model_id: string
  model_name: string
  credit: number
} {
  return {
    task_id: result.task.id,
    url: result.url,
    cover_url: result.coverUrl ?? null,
    model_id: result.task.model.id,
    model_name: result.task.model.name,
    credit: result.task.totalCredit,
  }
}
