/**
 * What the skill documents say about each model, known before any request:
 * names, aliases, sizes with points, ratios and timings. The live product
 * list wins on ids and points; this catalog supplies what the list lacks
 * (estimated time, polling and progress cadence, aliases).
 */
import type { TaskType } from '../schemas/task-type.js'

/** One size a model offers and what it cost when the documents were written. @public */
export interface SizeOffer {
  /** The service's spelling, e.g. `4K`, `512px`, `2k`. */
  size: string
  /** Points per image. */
  points: number
  /** The credit rule's `attribute_id`. */
  attributeId: number
}

/** What the SDK knows about one model before asking the service. @public */
export interface ModelCapabilities {
  /** Display name, e.g. `Nano Banana Pro`. */
  name: string
  /** The `model_id` the product list uses. */
  modelId: string
  /** The version id the documents list (the live list may have newer ones). */
  versionId: string
  /** Other names users type for it, English and Chinese (compared case- and space-insensitively). */
  aliases: readonly string[]
  /** Sizes offered per task type, smallest first, with the documented points and attribute ids. */
  sizes: Readonly<Record<TaskType, readonly SizeOffer[]>>
  /** Aspect ratios the model offers. */
  aspectRatios: readonly string[]
  /** How the ratio is chosen: through a virtual field (`virtual`), a native parameter (`native`), or not at all (`fixed`). */
  aspectRatioMode: 'virtual' | 'native' | 'fixed'
  /** The largest output, as users say it (`4K`, `1024px`). */
  maxResolution: string
  /** Typical generation time, in seconds: `[fastest, slowest]`. */
  estimatedSeconds: readonly [number, number]
  /** How often to poll the task detail, in ms. */
  pollIntervalMs: number
  /** How often a chat should show progress, in ms. */
  progressEveryMs: number
}

const sizes = (list: ReadonlyArray<[string, number, number]>): SizeOffer[] =>
  list.map(([size, points, attributeId]) => ({ size, points, attributeId }))

/** The models the skill documents describe. @public */
export const MODEL_CATALOG: readonly ModelCapabilities[] = [
  {
    name: 'SeeDream 4.5',
    modelId: 'doubao-seedream-4.5',
    versionId: 'doubao-seedream-4-5-251128',
    aliases: ['SeeDream', 'SeeDream 4.5', 'Seedream4.5', 'doubao seedream', '豆包', '即梦'],
    sizes: {
      text_to_image: sizes([['2k', 5, 2341], ['4k', 5, 2341]]),
      image_to_image: sizes([['2k', 5, 1611], ['4k', 5, 1611]]),
    },
    aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4', '2:3', '3:2', '21:9'],
    aspectRatioMode: 'virtual',
    maxResolution: '4K',
    estimatedSeconds: [30, 60],
    pollIntervalMs: 5_000,
    progressEveryMs: 20_000,
  },
  {
    name: 'Nano Banana2',
    modelId: 'gemini-3.1-flash-image',
    versionId: 'gemini-3.1-flash-image-preview',
    aliases: ['Nano Banana', 'Nano Banana 2', 'Banana2', 'Banana 2', 'NB2', '香蕉', '香蕉2'],
    sizes: {
      text_to_image: sizes([['512px', 4, 4400], ['1K', 6, 4401], ['2K', 10, 4402], ['4K', 13, 4403]]),
      image_to_image: sizes([['512px', 4, 4404], ['1K', 6, 4405], ['2K', 10, 4406], ['4K', 13, 4407]]),
    },
    aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4'],
    aspectRatioMode: 'native',
    maxResolution: '4K',
    estimatedSeconds: [20, 40],
    pollIntervalMs: 5_000,
    progressEveryMs: 15_000,
  },
  {
    name: 'Nano Banana Pro',
    modelId: 'gemini-3-pro-image',
    versionId: 'gemini-3-pro-image-preview',
    aliases: ['Nano Banana Pro', 'Banana Pro', 'NB Pro', 'NBPro', '香蕉Pro'],
    sizes: {
      text_to_image: sizes([['1K', 10, 2399], ['2K', 10, 2400], ['4K', 18, 2401]]),
      image_to_image: sizes([['1K', 10, 2402], ['2K', 10, 2403], ['4K', 10, 2404]]),
    },
    aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4'],
    aspectRatioMode: 'native',
    maxResolution: '4K',
    estimatedSeconds: [60, 120],
    pollIntervalMs: 5_000,
    progressEveryMs: 30_000,
  },
  {
    name: 'Midjourney',
    modelId: 'midjourney',
    versionId: 'v6',
    aliases: ['MJ', 'Midjourney', 'Mid journey'],
    sizes: {
      text_to_image: sizes([['480p', 8, 5451], ['720p', 10, 5452]]),
      image_to_image: sizes([['480p', 8, 5453], ['720p', 10, 5454]]),
    },
    aspectRatios: ['1:1'],
    aspectRatioMode: 'fixed',
    maxResolution: '1024px',
    estimatedSeconds: [40, 90],
    pollIntervalMs: 8_000,
    progressEveryMs: 25_000,
  },
]

/** Timings for a model the catalog does not know. */
export const UNKNOWN_MODEL_TIMING = { estimatedSeconds: [30, 90] as const, pollIntervalMs: 5_000, progressEveryMs: 20_000 }

/** The largest size any model offers, as users say it. */
export const LARGEST_RESOLUTION = '4K'

/** The catalog entry for a model id, if the documents describe it. @public */
export function findModelCapabilities(modelId: string | undefined): ModelCapabilities | undefined {
  return modelId === undefined ? undefined : MODEL_CATALOG.find((model) => model.modelId === modelId)
}
