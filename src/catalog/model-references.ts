import { ModelNotFoundError, ValidationError } from '../errors.js'
import type { ProductNode } from '../schemas/products.js'
import type { TaskType } from '../schemas/task-type.js'
import { MODEL_CATALOG } from './models.js'
import { displayName, scopeAllows, type ModelScope, type ModelTier } from './scopes.js'
import { editDistance } from '../internal/did-you-mean.js'

/** How a model reference was understood. @public */
export type ModelReferenceKind = 'model-id' | 'version-id' | 'name' | 'alias' | 'tier'

/** A model reference resolved to a model id (and a version, when one was named). @public */
export interface ResolvedModel {
  /** The `model_id`, e.g. `gemini-3-pro-image`. */
  modelId: string
  /** Set when the reference named a version. */
  versionId?: string
  /** How the reference was understood: `model-id`, `version-id`, `name`, `alias` or `tier`. */
  via: ModelReferenceKind
  /** The tier a tier word named (`budget` for `最便宜`). */
  tier?: ModelTier
}

/** Words for tiers, English and Chinese (the seeds' phrasings). */
const TIER_WORDS: Record<string, Exclude<ModelTier, 'default'> | 'default'> = {
  default: 'default',
  默认: 'default',
  推荐: 'default',
  budget: 'budget',
  cheapest: 'budget',
  cheap: 'budget',
  最便宜: 'budget',
  便宜: 'budget',
  premium: 'premium',
  best: 'premium',
  最好: 'premium',
  最强: 'premium',
  artistic: 'artistic',
  艺术: 'artistic',
}

/** Lower-cased, without spaces, dashes, dots or underscores: "Nano-Banana 2" ≡ "nanobanana2". */
export function compactName(text: string): string {
  return text.toLowerCase().replace(/[\s._\-]+/g, '')
}

interface Candidate {
  key: string
  modelId: string
  versionId?: string
  via: ModelReferenceKind
}

function candidatesFor(leaves: readonly ProductNode[]): Candidate[] {
  const list: Candidate[] = []
  for (const leaf of leaves) {
    if (!leaf.model_id) continue
    list.push({ key: compactName(leaf.model_id), modelId: leaf.model_id, via: 'model-id' })
    list.push({ key: compactName(leaf.id), modelId: leaf.model_id, versionId: leaf.id, via: 'version-id' })
    list.push({ key: compactName(leaf.name), modelId: leaf.model_id, via: 'name' })
  }
  for (const model of MODEL_CATALOG) {
    list.push({ key: compactName(model.modelId), modelId: model.modelId, via: 'model-id' })
    list.push({ key: compactName(model.name), modelId: model.modelId, via: 'name' })
    for (const alias of model.aliases) list.push({ key: compactName(alias), modelId: model.modelId, via: 'alias' })
  }
  return list
}

/** Up to three model ids whose names are closest to `text`. */
function closeMatches(text: string, candidates: readonly Candidate[], scope: ModelScope): string[] {
  const key = compactName(text)
  const best = new Map<string, number>()
  for (const candidate of candidates) {
    if (!scopeAllows(scope, candidate.modelId)) continue
    const containment = candidate.key.includes(key) || key.includes(candidate.key) ? 0.5 : 1
    const score = (editDistance(key, candidate.key) / Math.max(key.length, candidate.key.length, 1)) * containment
    if (score < (best.get(candidate.modelId) ?? Number.POSITIVE_INFINITY)) best.set(candidate.modelId, score)
  }
  return [...best.entries()]
    .filter(([, score]) => score <= 0.6)
    .sort((a, b) => a[1] - b[1])
    .slice(0, 3)
    .map(([modelId]) => modelId)
}

function describe(modelId: string): string {
  return `${displayName(modelId)} (${modelId})`
}

/**
 * Resolves what a user typed — a model id, a version id, a display name, an
 * alias ("NB Pro", "香蕉", "MJ") or a tier (`default`, `budget`, `premium`,
 * `artistic`, "最便宜") — to a model id within the scope.
 *
 * @throws ModelNotFoundError listing close matches; ValidationError for a tier
 * the scope lacks or a model outside the scope.
 */
export function resolveModelReference(
  reference: string,
  context: { taskType: TaskType; scope: ModelScope; leaves: readonly ProductNode[] },
): ResolvedModel {
  const { scope, taskType } = context
  const key = compactName(reference)
  const tier = TIER_WORDS[key]
  if (tier !== undefined) {
    const modelId = tier === 'default' ? scope.defaults[taskType] : scope.tiers[tier]
    if (modelId === undefined) {
      const offered = Object.keys(scope.tiers).join(', ')
      throw new ValidationError(`This client's models (${scope.name}) have no ${tier} model; choose ${offered ? `${offered} or ` : ''}a model by name`, [
        { path: 'model', message: `no ${tier} model in scope` },
      ])
    }
    return { modelId, via: 'tier', tier }
  }
  const candidates = candidatesFor(context.leaves)
  // Exact kinds first: an id beats a name, a name beats an alias.
  const order: ModelReferenceKind[] = ['model-id', 'version-id', 'name', 'alias']
  for (const via of order) {
    const match = candidates.find((candidate) => candidate.via === via && candidate.key === key)
    if (!match) continue
    if (!scopeAllows(scope, match.modelId)) {
      const allowed = (scope.models ?? []).map(describe).join(', ')
      throw new ValidationError(`${describe(match.modelId)} is outside this client's models (${scope.name}); choose one of ${allowed}`, [
        { path: 'model', message: 'outside the client scope' },
      ])
    }
    return match.versionId === undefined ? { modelId: match.modelId, via } : { modelId: match.modelId, versionId: match.versionId, via }
  }
  const suggestions = closeMatches(reference, candidates, scope)
  const available = [...new Set(candidates.filter((c) => scopeAllows(scope, c.modelId)).map((c) => c.modelId))]
  const hint = suggestions.length > 0 ? `did you mean ${suggestions.map(describe).join(', or ')}?` : `choose one of ${available.map(describe).join(', ')}`
  throw new ModelNotFoundError(`Unknown model "${reference}": ${hint}`, available, suggestions)
}
