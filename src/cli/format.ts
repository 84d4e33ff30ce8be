/**
 * Plain-text tables and the JSON shapes the CLI prints. JSON keys are
 * snake_case, like the reference script's output that agents already parse.
 */
import type { ModelInfo } from '../catalog/capabilities.js'
import type { GenerateResult } from '../client.js'

/** Left-aligned columns separated by two spaces; the header underlined with dashes. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

/** The models table of `ima models` and `--list-models`. */
export function modelsTable(models: readonly ModelInfo[]): string {
  const rows = models.map((model) => [
    model.name,
    model.modelId,
    model.versionId ?? '—',
    model.sizes.length > 0 ? model.sizes.map((offer) => `${offer.size} ${offer.points} pts`).join(', ') : '—',
    model.aspectRatios.length > 0 ? model.aspectRatios.join(' ') : '—',
    `${model.estimatedSeconds[0]}–${model.estimatedSeconds[1]} s`,
  ])
  return renderTable(['Name', 'Model id', 'Version', 'Sizes (points)', 'Ratios', 'Time'], rows)
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
