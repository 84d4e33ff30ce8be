/**
 * The two models to suggest after a failure: the seeds' fallback tables,
 * restricted to what the client may use. The full catalog's table comes from
 * the first skill; the Nano Banana scope's from the second (Nano Banana2 ↔
 * Nano Banana Pro, or the same model at another size).
 */
import { MODEL_CATALOG, findModelCapabilities } from '../catalog/models.js'
import { displayName, scopeAllows, type ModelScope } from '../catalog/scopes.js'
import type { TaskType } from '../schemas/task-type.js'
import type { ChatLanguage } from './types.js'

/**
 * A model suggested after a failure, with what makes it a good choice.
 * @public
 */
export interface ChatAlternative {
  /** The model id, to pass back as `model`. */
  modelId: string
  /** The name users know. */
  name: string
  /** Set when the suggestion is a size (the same model at another size). */
  size?: string
  /** What it is good at, in the message's language ("fast and cheap", "高质量"). */
  trait: string
  /** Its cost as users read it ("4 pts", "10–18 pts", "from 4 pts"). */
  points: string
}

const SEEDREAM = 'doubao-seedream-4.5'
const NB2 = 'gemini-3.1-flash-image'
const PRO = 'gemini-3-pro-image'

type Trait = Record<ChatLanguage, string>
interface Suggestion {
  modelId: string
  trait: Trait
  points: Trait
}

const T = (en: string, zh: string): Trait => ({ en, zh })
const FIVE = T('5 pts', '5 pts')
const FOUR = T('4 pts', '4 pts')
const PRO_RANGE = T('10–18 pts', '10–18 pts')

/** The first skill's failure fallback table (and its "Any / Unknown" row). */
const FULL_TABLE: Record<string, [Suggestion, Suggestion]> = {
  [SEEDREAM]: [
    { modelId: NB2, trait: T('fast and cheap', '快速便宜'), points: FOUR },
    { modelId: PRO, trait: T('high quality', '高质量'), points: PRO_RANGE },
  ],
  [NB2]: [
    { modelId: SEEDREAM, trait: T('higher quality', '更高质量'), points: FIVE },
    { modelId: PRO, trait: T('best quality', '最高质量'), points: PRO_RANGE },
  ],
  [PRO]: [
    { modelId: SEEDREAM, trait: T('great value', '性价比高'), points: FIVE },
    { modelId: NB2, trait: T('cheapest', '最便宜'), points: FOUR },
  ],
}
const UNKNOWN_ROW: [Suggestion, Suggestion] = [
  { modelId: SEEDREAM, trait: T('recommended default', '默认首选'), points: FIVE },
  { modelId: NB2, trait: T('budget-friendly', '预算紧张'), points: FOUR },
]
/** The second skill's table: the other Nano Banana first. */
const NANO_TABLE: Record<string, Suggestion> = {
  [NB2]: { modelId: PRO, trait: T('high quality', '高质量'), points: PRO_RANGE },
  [PRO]: { modelId: NB2, trait: T('faster and cheaper', '更快更省'), points: T('from 4 pts', '4 pts 起') },
}

function isNanoBananaOnly(scope: ModelScope): boolean {
  return scope.models !== null && scope.models.every((id) => id === NB2 || id === PRO)
}

/**
 * The same model at another size: the next smaller one (smaller is what the
 * reference client steps down to), or the next larger when it failed at the
 * smallest.
 */
function otherSize(modelId: string, taskType: TaskType, failedSize: string | undefined, language: ChatLanguage): ChatAlternative | undefined {
  const offers = findModelCapabilities(modelId)?.sizes[taskType] ?? []
  if (offers.length < 2) return undefined
  const index = offers.findIndex((offer) => offer.size.toLowerCase() === failedSize?.toLowerCase())
  // Unknown size: suggest the second smallest (1K for Nano Banana2), a safe middle choice.
  const pick = index < 0 ? offers[1] : index > 0 ? offers[index - 1] : offers[1]
  if (!pick) return undefined
  return {
    modelId,
    name: displayName(modelId),
    size: pick.size,
    trait: language === 'zh' ? '同款换个尺寸' : 'same model, another size',
    points: `${pick.points} pts`,
  }
}

function toAlternative(suggestion: Suggestion, language: ChatLanguage): ChatAlternative {
  return { modelId: suggestion.modelId, name: displayName(suggestion.modelId), trait: suggestion.trait[language], points: suggestion.points[language] }
}

function pointsOf(modelId: string, taskType: TaskType): string {
  const points = (findModelCapabilities(modelId)?.sizes[taskType] ?? []).map((offer) => offer.points)
  if (points.length === 0) return ''
  const low = Math.min(...points)
  const high = Math.max(...points)
  return low === high ? `${low} pts` : `${low}–${high} pts`
}

/**
 * Two models to offer after `failedModelId` failed, from the seeds' fallback
 * tables, never outside `scope` and never the model that failed (except at
 * another size). Fewer than two only when the scope has nothing else.
 *
 * @example
 * ```ts
 * suggestAlternatives({ failedModelId: 'gemini-3.1-flash-image', scope: NANO_BANANA_SCOPE, language: 'en' })
 * // [{ name: 'Nano Banana Pro', trait: 'high quality', points: '10–18 pts', … }, { name: 'Nano Banana2', size: '1K', … }]
 * ```
 * @public
 */
export function suggestAlternatives(options: {
  failedModelId: string | undefined
  scope: ModelScope
  language: ChatLanguage
  taskType?: TaskType
  failedSize?: string
}): ChatAlternative[] {
  const { failedModelId, scope, language } = options
  const taskType = options.taskType ?? 'text_to_image'
  const list: ChatAlternative[] = []
  const add = (alternative: ChatAlternative | undefined) => {
    if (!alternative || list.length >= 2 || !scopeAllows(scope, alternative.modelId)) return
    const same = list.some((item) => item.modelId === alternative.modelId && item.size === alternative.size)
    if (same || (alternative.modelId === failedModelId && alternative.size === undefined)) return
    list.push(alternative)
  }
  if (isNanoBananaOnly(scope)) {
    const failed = failedModelId === NB2 || failedModelId === PRO ? failedModelId : undefined
    if (failed) {
      add(toAlternative(NANO_TABLE[failed] as Suggestion, language))
      add(otherSize(failed, taskType, options.failedSize, language))
    } else {
      add(toAlternative({ modelId: NB2, trait: T('recommended default', '默认推荐'), points: T('from 4 pts', '4 pts 起') }, language))
      add(toAlternative(NANO_TABLE[NB2] as Suggestion, language))
    }
    return list
  }
  for (const suggestion of (failedModelId && FULL_TABLE[failedModelId]) || UNKNOWN_ROW) add(toAlternative(suggestion, language))
  // A custom scope may forbid the table's choices: fill with the scope's own models, then another size.
  for (const model of MODEL_CATALOG) {
    add({ modelId: model.modelId, name: model.name, trait: language === 'zh' ? '可选模型' : 'available model', points: pointsOf(model.modelId, taskType) })
  }
  if (failedModelId) add(otherSize(failedModelId, taskType, options.failedSize, language))
  return list
}
