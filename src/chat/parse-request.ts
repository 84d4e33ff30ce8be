/**
 * Reads what a chat user asked for: model (by name, alias or tier word),
 * size, aspect ratio, whether to remember the choice, and the language.
 * Model names come from the catalog's own aliases and go through
 * `resolveModelReference`, so the chat understands exactly what
 * `tasks.create({ model })` understands.
 */
import { nearestAspectRatio, offeredAspectRatio } from '../catalog/capabilities.js'
import { LARGEST_RESOLUTION, MODEL_CATALOG, findModelCapabilities } from '../catalog/models.js'
import { resolveModelReference } from '../catalog/model-references.js'
import { FULL_CATALOG_SCOPE, displayName, type ModelScope, type ModelTier } from '../catalog/scopes.js'
import type { TaskType } from '../schemas/task-type.js'
import type { ChatLanguage } from './types.js'

/**
 * What a chat message asks for. Fields are set only when the text says so.
 * @public
 */
export interface ChatRequest {
  /** `image_to_image` when the text speaks of editing a picture; `text_to_image` when of drawing one. */
  taskType?: TaskType
  /** The model id meant (a name, an alias or a tier word resolved within the scope). */
  model?: string
  /** Set when the model came from a tier word ("best quality", "用便宜的"). */
  tier?: Exclude<ModelTier, 'default'>
  /** Size in the catalog's spelling (`4K`, `2K`, `1K`, `512px`, `720p`). */
  size?: string
  /** Aspect ratio, e.g. `16:9` (the nearest supported one when the text asked for another). */
  aspectRatio?: string
  /** `save`: make the model the user's default; `clear`: forget the saved model and use the recommended one. */
  remember?: 'save' | 'clear'
  /** The user wants a different model than last time ("换个模型", "try another model"): ask which one. */
  anotherModel?: boolean
  /** The language to answer in: `zh` when the text has Chinese characters. */
  language: ChatLanguage
  /** Things to tell the user, in their language (e.g. that 8K became 4K). */
  notes: string[]
}

/** Options of {@link parseRequest}. @public */
export interface ParseRequestOptions {
  /** Which models tier words and names may mean. @defaultValue `FULL_CATALOG_SCOPE` */
  scope?: ModelScope
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/

const SAVE = /以后都用|以后用|今后都用|默认用|设为默认|设成默认|我喜欢用?|always\s+use|from\s+now\s+on|make\s+(it|that|this)\s+(my\s+)?default|set\s+.*\s+as\s+(my\s+)?default/i
const CLEAR = /用默认的?|默认模型|推荐一个|你推荐|帮我选|随便哪个|use\s+the\s+default|default\s+model|recommend\s+(one|a\s+model)|you\s+(choose|pick)/i
const ANOTHER = /换个模型|换一个模型|换个别的|试试别的|换别的模型|try\s+(another|a\s+different|other)\s+model|another\s+model|different\s+model|something\s+else/i
const PREMIUM = /用最好的|最好的|最强的?|最高质量|最佳质量|best\s+quality|highest\s+quality|use\s+the\s+best|best\s+model|premium|top\s+quality/i
const BUDGET = /用便宜的|最便宜|便宜的|便宜点|省积分|cheapest|cheap(er)?\b|budget|lowest\s+cost/i
const ARTISTIC = /艺术风|艺术感|artistic/i

const EDIT = /图生图|改图|这张图|这张照片|把图|把这张|修图|参考图|根据图|image\s*to\s*image|img2img|edit\s+(this|the|my)|this\s+(photo|picture|image)|turn\s+(this|my)\s+(photo|picture|image)|https?:\/\/\S+\.(png|jpe?g|webp)/i
const DRAW = /画|生成|来一张|做一张|文生图|draw|generate|create|make\s+(me\s+)?(an?\s+)?(image|picture|illustration)|paint|text\s*to\s*image/i

/** Every ratio some model offers, for "nearest supported". */
const ALL_RATIOS = [...new Set(MODEL_CATALOG.flatMap((model) => model.aspectRatios))]

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A name as typed loosely: any spaces, dots or dashes between its parts, whole words for Latin names. */
function namePattern(name: string): RegExp {
  const parts = name.trim().split(/[\s._\-]+/).map(escape)
  const body = parts.join('[\\s._\\-]*')
  return new RegExp(`(?<![a-z0-9])${body}(?![a-z0-9])`, 'i')
}

/** Names and aliases, longest first so "Nano Banana Pro" wins over "Nano Banana". */
const NAMES = MODEL_CATALOG.flatMap((model) => [model.name, model.modelId, ...model.aliases])
  .sort((a, b) => b.replace(/\s/g, '').length - a.replace(/\s/g, '').length)
  .map((name) => ({ name, pattern: namePattern(name) }))

function scopeRatios(scope: ModelScope): readonly string[] {
  if (scope.models === null) return ALL_RATIOS
  return [...new Set(scope.models.flatMap((id) => findModelCapabilities(id)?.aspectRatios ?? []))]
}

function findRatio(text: string, scope: ModelScope, language: ChatLanguage, notes: string[]): string | undefined {
  const numeric = /(?<![\d.])(\d{1,2})\s*[:：比]\s*(\d{1,2})(?![\d.])/i.exec(text)
  if (numeric) {
    const width = Number(numeric[1])
    const height = Number(numeric[2])
    if (width > 0 && height > 0) {
      const asked = `${width}:${height}`
      const allowed = scopeRatios(scope)
      // 7:3 is 21:9: the same shape under another spelling is offered, not "nearest".
      const same = offeredAspectRatio(asked, allowed)
      if (same !== undefined) return same
      const nearest = nearestAspectRatio(asked, allowed) ?? allowed[0] ?? '1:1'
      notes.push(language === 'zh' ? `不支持 ${asked} 的比例，改用最接近的 ${nearest}` : `${asked} isn't offered, so I'll use the nearest ratio, ${nearest}`)
      return nearest
    }
  }
  if (/横图|横版|横屏|宽屏|landscape|widescreen|horizontal/i.test(text)) return '16:9'
  if (/竖图|竖版|竖屏|portrait|vertical|phone\s+wallpaper|手机壁纸/i.test(text)) return '9:16'
  if (/方图|正方形|方形|square/i.test(text)) return '1:1'
  return undefined
}

function findSize(text: string, language: ChatLanguage, notes: string[]): string | undefined {
  const k = /(?<![a-z0-9])([1248])\s*k(?![a-z0-9])/i.exec(text)
  if (k) {
    const value = Number(k[1])
    if (value === 8) {
      notes.push(language === 'zh' ? `最高支持 ${LARGEST_RESOLUTION}，这次用 ${LARGEST_RESOLUTION} 生成` : `The largest size is ${LARGEST_RESOLUTION}, so I'll use ${LARGEST_RESOLUTION}`)
      return LARGEST_RESOLUTION
    }
    return `${value}K`
  }
  if (/(?<![\d.])512(?![\d.])\s*(px)?/i.test(text)) return '512px'
  const p = /(?<![\d])(480|720)\s*p(?![a-z])/i.exec(text)
  if (p) return `${p[1]}p`
  return undefined
}

/**
 * Reads a chat request: model names and aliases in English and Chinese
 * ("NB Pro", "香蕉", "MJ"), tier words ("用最好的" / "best quality" →
 * premium, saved; "用便宜的" / "cheapest" → budget, not saved), sizes
 * ("4K", "2K", "1K", "512"; "8K" becomes 4K with a note), ratios ("16:9",
 * "横图", "竖图"; `7:3` is read as `21:9`), memory phrases ("以后都用 X",
 * "always use X", "默认用 X" save; a bare "用 X" / "use X" picks X for this
 * request only; "用默认的", "推荐一个" clear) and "换个模型" / "try another model".
 *
 * @example
 * ```ts
 * parseRequest('以后都用 Nano Banana Pro，画一只猫，横图 4K')
 * // { model: 'gemini-3-pro-image', remember: 'save', aspectRatio: '16:9', size: '4K', taskType: 'text_to_image', language: 'zh', notes: [] }
 * ```
 * @public
 */
export function parseRequest(text: string, options: ParseRequestOptions = {}): ChatRequest {
  const scope = options.scope ?? FULL_CATALOG_SCOPE
  const language: ChatLanguage = CJK.test(text) ? 'zh' : 'en'
  const notes: string[] = []
  const request: ChatRequest = { language, notes }

  if (EDIT.test(text)) request.taskType = 'image_to_image'
  else if (DRAW.test(text)) request.taskType = 'text_to_image'
  const taskType = request.taskType ?? 'text_to_image'

  const size = findSize(text, language, notes)
  if (size) request.size = size
  const ratio = findRatio(text, scope, language, notes)
  if (ratio) request.aspectRatio = ratio

  // A model named outright beats a tier word ("用最好的 Nano Banana2" means Nano Banana2).
  let named: string | undefined
  for (const { name, pattern } of NAMES) {
    if (!pattern.test(text)) continue
    try {
      named = resolveModelReference(name, { taskType, scope, leaves: [] }).modelId
    } catch {
      notes.push(language === 'zh' ? `${displayName(resolveLoosely(name))} 在这里不可用，改用推荐的模型` : `${displayName(resolveLoosely(name))} isn't available here, so I'll use the recommended model`)
    }
    break
  }

  const wantsSave = SAVE.test(text)
  if (named) {
    request.model = named
    // "用香蕉画一只猫" / "use Midjourney for a castle" pick the model for this request only.
    if (wantsSave) request.remember = 'save'
  } else if (PREMIUM.test(text) && scope.tiers.premium) {
    request.model = scope.tiers.premium
    request.tier = 'premium'
    // The first skill saves "best quality" as the user's preference.
    request.remember = 'save'
  } else if (BUDGET.test(text) && scope.tiers.budget) {
    request.model = scope.tiers.budget
    request.tier = 'budget'
    // The cheapest choice is also the smallest size (Nano Banana2 512px, 4 pts).
    if (!request.size) request.size = findModelCapabilities(scope.tiers.budget)?.sizes[taskType][0]?.size
    if (request.size === undefined) delete request.size
    // Not saved: the seeds keep "cheapest" for this time only, unless the user says "always".
    if (wantsSave) request.remember = 'save'
  } else if (ARTISTIC.test(text) && scope.tiers.artistic) {
    request.model = scope.tiers.artistic
    request.tier = 'artistic'
    if (wantsSave) request.remember = 'save'
  }

  if (!request.model && CLEAR.test(text)) request.remember = 'clear'
  if (!named && ANOTHER.test(text)) request.anotherModel = true
  return request
}

/** The model id a name means, ignoring the scope (for the "not available here" note). */
function resolveLoosely(name: string): string {
  try {
    return resolveModelReference(name, { taskType: 'text_to_image', scope: FULL_CATALOG_SCOPE, leaves: [] }).modelId
  } catch {
    return name
  }
}
