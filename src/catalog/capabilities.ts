import { ValidationError } from '../errors.js'
import { ruleParameters } from '../protocol/credit-rules.js'
import { uiParamKey } from '../protocol/virtual-fields.js'
import type { ProductNode } from '../schemas/products.js'
import type { TaskType } from '../schemas/task-type.js'
import { findModelCapabilities, LARGEST_RESOLUTION, MODEL_CATALOG, UNKNOWN_MODEL_TIMING, type SizeOffer } from './models.js'
import { scopeAllows, type ModelScope } from './scopes.js'

/**
 * One model as this client can use it: the live product list (ids, points,
 * sizes, ratios) merged with the catalog (names, timings). The live list
 * wins where both speak.
 * @public
 */
export interface ModelInfo {
  /** The `model_id`, e.g. `gemini-3-pro-image`. */
  modelId: string
  /** Display name, e.g. `Nano Banana Pro` (the live list's, else the catalog's, else the id). */
  name: string
  /** The task type these facts are for: `text_to_image` or `image_to_image`. */
  taskType: TaskType
  /** The newest live version, when the list has the model. */
  versionId: string | undefined
  /** Sizes with their points and attribute ids, smallest first. */
  sizes: SizeOffer[]
  /** Ratios it can make; empty when no ratio can be chosen. */
  aspectRatios: string[]
  /** How a ratio reaches the service: a virtual field, a native parameter, not at all (`fixed`: 1:1 only), or unknown (`none`). */
  aspectRatioMode: 'virtual' | 'native' | 'fixed' | 'none'
  /** The largest output as users say it (`4K`, `1024px`); `undefined` for models the catalog does not know. */
  maxResolution: string | undefined
  /** Typical time to finish, in seconds: `[fastest, slowest]` (a generic range for unknown models). */
  estimatedSeconds: readonly [number, number]
  /** How often to poll the task detail, in ms. */
  pollIntervalMs: number
  /** How often a chat should show progress, in ms. */
  progressEveryMs: number
  /** Where the facts came from. */
  source: 'live+catalog' | 'live' | 'catalog'
}

/** The long side, in pixels, a size string stands for (`4K` → 4096, `512px` → 512, `2560x1440` → 2560). */
export function sizeLongSide(size: string): number | undefined {
  const text = size.trim().toLowerCase()
  const kilo = /^(\d+(?:\.\d+)?)\s*k$/.exec(text)
  if (kilo) return Math.round(Number(kilo[1]) * 1024)
  const pixels = /^(\d+)\s*(?:px|p)$/.exec(text)
  if (pixels) return Number(pixels[1])
  const box = /^(\d+)\s*[x×*]\s*(\d+)$/.exec(text)
  if (box) return Math.max(Number(box[1]), Number(box[2]))
  return undefined
}

function bySize(a: SizeOffer, b: SizeOffer): number {
  return (sizeLongSide(a.size) ?? 0) - (sizeLongSide(b.size) ?? 0)
}

function liveSizes(leaf: ProductNode): SizeOffer[] {
  const rules = leaf.credit_rules ?? []
  const priced = rules
    .map((rule) => ({ rule, size: ruleParameters(rule).size }))
    .filter((entry): entry is { rule: (typeof rules)[number]; size: string | number | boolean } => entry.size !== undefined)
  if (priced.length > 0) {
    return priced.map(({ rule, size }) => ({ size: String(size), points: rule.points, attributeId: rule.attribute_id })).sort(bySize)
  }
  const only = rules[0]
  if (!only) return []
  const sizeFields = (leaf.form_config ?? []).filter((field) => field.field === 'size')
  const values = [...new Set(sizeFields.flatMap((field) => (field.options ?? []).map((option) => String(option.value))))]
  return values.map((size) => ({ size, points: only.points, attributeId: only.attribute_id })).sort(bySize)
}

function liveRatios(leaf: ProductNode): { ratios: string[]; mode: 'virtual' | 'native' } | undefined {
  for (const field of leaf.form_config ?? []) {
    if (!field.is_ui_virtual) continue
    if (!(field.ui_params ?? []).some((param) => uiParamKey(param) === 'aspect_ratio')) continue
    const ratios = (field.value_mapping?.mapping_rules ?? []).map((rule) => rule.source_values.aspect_ratio).filter((value) => value !== undefined)
    return { ratios: [...new Set(ratios.map(String))], mode: 'virtual' }
  }
  const native = (leaf.form_config ?? []).find((field) => !field.is_ui_virtual && field.field === 'aspect_ratio')
  if (native) return { ratios: (native.options ?? []).map((option) => String(option.value)), mode: 'native' }
  return undefined
}

/** Merges a live version leaf (when there is one) with the catalog entry of its model. */
export function describeModel(modelId: string, taskType: TaskType, leaf: ProductNode | undefined): ModelInfo {
  const known = findModelCapabilities(modelId)
  const live = leaf ? liveRatios(leaf) : undefined
  let aspectRatios: string[]
  let aspectRatioMode: ModelInfo['aspectRatioMode']
  if (live) {
    ;({ ratios: aspectRatios, mode: aspectRatioMode } = live)
  } else if (known?.aspectRatioMode === 'native') {
    // The list carries no ratio field, but the model takes the ratio natively.
    aspectRatios = [...known.aspectRatios]
    aspectRatioMode = 'native'
  } else if (known?.aspectRatioMode === 'fixed') {
    aspectRatios = [...known.aspectRatios]
    aspectRatioMode = 'fixed'
  } else {
    aspectRatios = []
    aspectRatioMode = 'none'
  }
  const timing = known ?? UNKNOWN_MODEL_TIMING
  return {
    modelId,
    name: leaf?.name ?? known?.name ?? modelId,
    taskType,
    versionId: leaf?.id,
    sizes: leaf ? liveSizes(leaf) : [...(known?.sizes[taskType] ?? [])],
    aspectRatios,
    aspectRatioMode,
    maxResolution: known?.maxResolution,
    estimatedSeconds: timing.estimatedSeconds,
    pollIntervalMs: timing.pollIntervalMs,
    progressEveryMs: timing.progressEveryMs,
    source: leaf && known ? 'live+catalog' : leaf ? 'live' : 'catalog',
  }
}

/**
 * Refuses a resolution no model makes (8K and up), saying that 4K is the
 * most and which models in the scope offer it.
 */
export function checkResolution(size: string, scope: ModelScope): void {
  const longSide = sizeLongSide(size)
  const largest = sizeLongSide(LARGEST_RESOLUTION) as number
  if (longSide === undefined || longSide <= largest) return
  const offering = MODEL_CATALOG.filter(
    (model) => scopeAllows(scope, model.modelId) && model.sizes.text_to_image.some((offer) => sizeLongSide(offer.size) === largest),
  ).map((model) => model.name)
  throw new ValidationError(
    `No model makes ${size} images: ${LARGEST_RESOLUTION} is the most${offering.length ? ` (${offering.join(', ')})` : ''}. Ask for size '${LARGEST_RESOLUTION}' and upscale afterwards if you need more`,
    [{ path: 'size', message: `at most ${LARGEST_RESOLUTION}` }],
  )
}

function ratioValue(ratio: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(ratio.trim())
  if (!match) return undefined
  const value = Number(match[1]) / Number(match[2])
  return Number.isFinite(value) && value > 0 ? value : undefined
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b)
}

/**
 * A ratio in lowest terms, so two spellings of one shape compare equal:
 * `21:9` → `7:3`, `16:9` → `16:9`, `1.5:1` → `3:2`. `undefined` when the
 * text is not `width:height` with positive numbers.
 *
 * @example
 * ```ts
 * reduceAspectRatio('21:9') // '7:3'
 * reduceAspectRatio('7:3') === reduceAspectRatio('21:9') // true
 * ```
 */
export function reduceAspectRatio(ratio: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?:(\d+)(?:\.(\d+))?$/.exec(ratio.replace(/\s+/g, ''))
  if (!match) return undefined
  // Decimals become whole numbers first (1.5:1 → 15:10), then both sides are divided by their gcd.
  const digits = Math.max(match[2]?.length ?? 0, match[4]?.length ?? 0)
  if (digits > 6) return undefined
  const whole = (integer: string | undefined, fraction: string | undefined) => Number(`${integer ?? '0'}${(fraction ?? '').padEnd(digits, '0')}`)
  const width = whole(match[1], match[2])
  const height = whole(match[3], match[4])
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) return undefined
  const divisor = greatestCommonDivisor(width, height)
  return `${width / divisor}:${height / divisor}`
}

/**
 * How `offered` spells the shape `ratio` names, once both are reduced: `7:3`
 * among SeeDream's ratios is `21:9`. `undefined` when none has that shape.
 *
 * @example
 * ```ts
 * offeredAspectRatio('7:3', ['1:1', '16:9', '21:9']) // '21:9'
 * offeredAspectRatio('5:4', ['1:1', '16:9']) // undefined
 * ```
 */
export function offeredAspectRatio(ratio: string, offered: readonly string[]): string | undefined {
  const reduced = reduceAspectRatio(ratio)
  if (reduced === undefined) return undefined
  return offered.find((candidate) => reduceAspectRatio(candidate) === reduced)
}

/**
 * The ratio of `offered` closest in shape to `ratio`: the same shape when it
 * is there under another spelling (`7:3` → `21:9`), else the nearest on a log
 * scale, so 2:1 and 1:2 are equally far from 1:1.
 */
export function nearestAspectRatio(ratio: string, offered: readonly string[]): string | undefined {
  const same = offeredAspectRatio(ratio, offered)
  if (same !== undefined) return same
  const target = ratioValue(ratio)
  if (target === undefined) return undefined
  let best: { ratio: string; distance: number } | undefined
  for (const candidate of offered) {
    const value = ratioValue(candidate)
    if (value === undefined) continue
    const distance = Math.abs(Math.log(value) - Math.log(target))
    if (!best || distance < best.distance) best = { ratio: candidate, distance }
  }
  return best?.ratio
}

/** Refuses a ratio the model cannot make, suggesting the nearest it has and the models that offer the ratio. */
export function checkAspectRatio(ratio: string, info: ModelInfo, scope: ModelScope): void {
  if (info.aspectRatios.includes(ratio)) return
  const elsewhere = MODEL_CATALOG.filter(
    (model) => model.modelId !== info.modelId && scopeAllows(scope, model.modelId) && model.aspectRatios.includes(ratio),
  ).map((model) => model.name)
  const others = elsewhere.length > 0 ? `; ${elsewhere.join(', ')} ${elsewhere.length > 1 ? 'offer' : 'offers'} ${ratio}` : ''
  let message: string
  if (info.aspectRatioMode === 'none') {
    message = `${info.name} takes no aspect ratio in the current product list, so ${ratio} cannot be honoured: leave aspectRatio out${others}`
  } else {
    const nearest = nearestAspectRatio(ratio, info.aspectRatios)
    const only = info.aspectRatioMode === 'fixed' ? ` makes ${info.aspectRatios.join('/')} images only` : ` does not offer aspect ratio ${ratio} (it offers ${info.aspectRatios.join(', ')})`
    message = `${info.name}${only}${nearest ? `; the nearest is ${nearest}` : ''}${others}`
  }
  throw new ValidationError(message, [{ path: 'aspectRatio', message: `not offered by ${info.name}` }])
}
