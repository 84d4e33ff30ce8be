/**
 * What the skill documents say about each model, known before any request:
 * names, sizes, ratios and timings. The live product list wins on ids and
 * points; this catalog supplies what the list lacks (estimated time, polling
 * cadence).
 */

/** What the SDK knows about one model before asking the service. @public */
export interface ModelCapabilities {
  /** Display name, e.g. `Nano Banana Pro`. */
  name: string
  /** The `model_id` the product list uses. */
  modelId: string
  /** The version id the documents list (the live list may have newer ones). */
  versionId: string
  /** Sizes the model offers, in the service's spelling. */
  sizes: readonly string[]
  /** Aspect ratios the model offers. */
  aspectRatios: readonly string[]
  /** How the ratio is chosen: through a virtual field (`virtual`), a native parameter (`native`), or not at all (`fixed`). */
  aspectRatioMode: 'virtual' | 'native' | 'fixed'
  /** Typical generation time, in seconds: `[fastest, slowest]`. */
  estimatedSeconds: readonly [number, number]
  /** How often to poll the task detail, in ms. */
  pollIntervalMs: number
  /** How often a chat should show progress, in ms. */
  progressEveryMs: number
}

/** The models the skill documents describe. @public */
export const MODEL_CATALOG: readonly ModelCapabilities[] = [
  {
    name: 'SeeDream 4.5',
    modelId: 'doubao-seedream-4.5',
    versionId: 'doubao-seedream-4-5-251128',
    sizes: ['2k', '4k'],
    aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4', '2:3', '3:2', '21:9'],
    aspectRatioMode: 'virtual',
    estimatedSeconds: [30, 60],
    pollIntervalMs: 5_000,
    progressEveryMs: 20_000,
  },
  {
    name: 'Nano Banana2',
    modelId: 'gemini-3.1-flash-image',
    versionId: 'gemini-3.1-flash-image-preview',
    sizes: ['512px', '1K', '2K', '4K'],
    aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4'],
    aspectRatioMode: 'native',
    estimatedSeconds: [20, 40],
    pollIntervalMs: 5_000,
    progressEveryMs: 15_000,
  },
  {
    name: 'Nano Banana Pro',
    modelId: 'gemini-3-pro-image',
    versionId: 'gemini-3-pro-image-preview',
    sizes: ['1K', '2K', '4K'],
    aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4'],
    aspectRatioMode: 'native',
    estimatedSeconds: [60, 120],
    pollIntervalMs: 5_000,
    progressEveryMs: 30_000,
  },
  {
    name: 'Midjourney',
    modelId: 'midjourney',
    versionId: 'v6',
    sizes: ['480p', '720p'],
    aspectRatios: ['1:1'],
    aspectRatioMode: 'fixed',
    estimatedSeconds: [40, 90],
    pollIntervalMs: 8_000,
    progressEveryMs: 25_000,
  },
]

/** Timings for a model the catalog does not know. */
export const UNKNOWN_MODEL_TIMING = { estimatedSeconds: [30, 90] as const, pollIntervalMs: 5_000 }

/** The catalog entry for a model id, if the documents describe it. */
export function findModelCapabilities(modelId: string | undefined): ModelCapabilities | undefined {
  return modelId === undefined ? undefined : MODEL_CATALOG.find((model) => model.modelId === modelId)
}
