/**
 * A product list that moves, like the live one (protocol §1: "attribute_id
 * and points change often"; §9: the answers a cached client then gets). The
 * server applies these changes by itself, so a client's recovery paths run
 * without fault injection or a rewritten list.
 */
import type { ServerCreditRule, ServerProductNode, TaskCategory } from './catalog.js'

/**
 * What changes in the list: see {@link CatalogDrift}.
 *
 * @example
 * ```ts
 * const change: CatalogDriftChange = 'points'
 * ```
 */
export type CatalogDriftChange = 'attributeIds' | 'points' | 'ruleAttributes'

/**
 * A rule attribute value, as the list spells it.
 *
 * @example
 * ```ts
 * const attributes: Record<string, RuleAttributeValue> = { size: '4K', quality: 'hd', hdr: true }
 * ```
 */
export type RuleAttributeValue = string | number | boolean

/**
 * One change of the product list after a number of accepted creates. A
 * client still holding the old list then gets, on its next create:
 * - `attributeIds`: every rule gets a new `attribute_id` (old + 100000) → 6010
 *   "attribute_id does not match the parameters";
 * - `points`: every rule costs one point more → 6006;
 * - `ruleAttributes`: every rule also requires `attributes` (not in the
 *   form) → 6009 "no credit rule matches the parameters (missing …)".
 *
 * @example
 * ```ts
 * const server = await startImaServer({ catalogDrift: { afterCreates: 1, change: 'attributeIds' } })
 * // create 1 is accepted; the list moves; create 2 from a cached list answers 6010,
 * // and a client that reads the list again succeeds.
 * ```
 */
export interface CatalogDrift {
  /** The change happens once, right after this many accepted creates (counted from start or `reset()`); a whole number ≥ 1. */
  afterCreates: number
  change: CatalogDriftChange
  /** Only the versions of these model ids change (in both categories); default every model. */
  modelIds?: string[]
  /** For `ruleAttributes`: the attributes added to every rule; default `{ quality: 'standard' }`. */
  attributes?: Record<string, RuleAttributeValue>
}

/** How far `attributeIds` moves each id: far enough not to meet the ids of the default list. */
export const ATTRIBUTE_ID_SHIFT = 100_000

const DEFAULT_ADDED_ATTRIBUTES: Record<string, RuleAttributeValue> = { quality: 'standard' }
const CHANGES: readonly CatalogDriftChange[] = ['attributeIds', 'points', 'ruleAttributes']

/**
 * Every version leaf of a tree, at any depth, in order.
 *
 * @example
 * ```ts
 * versionLeaves(buildDefaultCatalog('text_to_image')).map((leaf) => leaf.id)
 * ```
 */
export function versionLeaves(tree: readonly ServerProductNode[]): ServerProductNode[] {
  const leaves: ServerProductNode[] = []
  for (const node of tree) {
    if (node.type === '3') leaves.push(node)
    if (Array.isArray(node.children)) leaves.push(...versionLeaves(node.children))
  }
  return leaves
}

function isAttributeValue(value: unknown): value is RuleAttributeValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
}

function checkAttributes(name: string, attributes: unknown): Record<string, RuleAttributeValue> {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes) || Object.keys(attributes).length === 0) {
    throw new TypeError(`ImaServerOptions.${name} must be a non-empty object of attribute values, e.g. { quality: 'standard' }`)
  }
  for (const [key, value] of Object.entries(attributes)) {
    if (key.trim() === '' || key.trim().toLowerCase() === 'default') {
      throw new RangeError(`ImaServerOptions.${name}: ${JSON.stringify(key)} cannot be a rule attribute (empty, or the default marker)`)
    }
    if (!isAttributeValue(value)) throw new TypeError(`ImaServerOptions.${name}.${key} must be a string, a finite number or a boolean`)
  }
  return { ...(attributes as Record<string, RuleAttributeValue>) }
}

/**
 * Checks `catalogDrift` and returns the drifts ordered by `afterCreates`.
 *
 * @example
 * ```ts
 * resolveCatalogDrifts({ afterCreates: 2, change: 'points' }) // [{ afterCreates: 2, change: 'points' }]
 * ```
 */
export function resolveCatalogDrifts(option: CatalogDrift | CatalogDrift[] | undefined): CatalogDrift[] {
  const drifts = option === undefined ? [] : Array.isArray(option) ? option : [option]
  return drifts
    .map((drift, i): CatalogDrift => {
      const name = Array.isArray(option) ? `catalogDrift[${i}]` : 'catalogDrift'
      if (!Number.isInteger(drift.afterCreates) || drift.afterCreates < 1) {
        throw new RangeError(`ImaServerOptions.${name}.afterCreates must be a whole number of at least 1, got ${String(drift.afterCreates)}`)
      }
      if (!CHANGES.includes(drift.change)) {
        throw new RangeError(`ImaServerOptions.${name}.change must be one of ${CHANGES.join(', ')}, got ${String(drift.change)}`)
      }
      if (drift.modelIds !== undefined && (!Array.isArray(drift.modelIds) || drift.modelIds.some((id) => typeof id !== 'string'))) {
        throw new TypeError(`ImaServerOptions.${name}.modelIds must be an array of model ids`)
      }
      return {
        afterCreates: drift.afterCreates,
        change: drift.change,
        ...(drift.modelIds ? { modelIds: [...drift.modelIds] } : {}),
        ...(drift.change === 'ruleAttributes' ? { attributes: checkAttributes(`${name}.attributes`, drift.attributes ?? DEFAULT_ADDED_ATTRIBUTES) } : {}),
      }
    })
    .sort((a, b) => a.afterCreates - b.afterCreates)
}

/**
 * Checks `requireRuleAttributes` (model id → attributes every rule requires).
 *
 * @example
 * ```ts
 * resolveRequiredRuleAttributes({ 'gemini-3-pro-image': { quality: 'hd' } })
 * ```
 */
export function resolveRequiredRuleAttributes(option: Record<string, Record<string, RuleAttributeValue>> | undefined): Record<string, Record<string, RuleAttributeValue>> {
  const resolved: Record<string, Record<string, RuleAttributeValue>> = {}
  for (const [modelId, attributes] of Object.entries(option ?? {})) {
    resolved[modelId] = checkAttributes(`requireRuleAttributes[${JSON.stringify(modelId)}]`, attributes)
  }
  return resolved
}

function addAttributes(rule: ServerCreditRule, attributes: Record<string, RuleAttributeValue>): void {
  rule.attributes = { ...rule.attributes, ...attributes }
}

/**
 * Adds required attributes to every rule of the named models' versions, in
 * place. Only the rules change, not the form: a client must read them there.
 *
 * @example
 * ```ts
 * requireAttributes(tree, { midjourney: { quality: 'standard' } })
 * ```
 */
export function requireAttributes(tree: ServerProductNode[], byModel: Record<string, Record<string, RuleAttributeValue>>): void {
  for (const leaf of versionLeaves(tree)) {
    const attributes = byModel[leaf.model_id]
    if (attributes) for (const rule of leaf.credit_rules ?? []) addAttributes(rule, attributes)
  }
}

/**
 * Applies one drift to a category's tree, in place. Returns the attribute ids
 * it retired, by version id, so a create still sending one can be answered
 * 6010 (the id changed) rather than "Invalid product attribute".
 *
 * @example
 * ```ts
 * const retired = driftCatalog(state.catalogs.text_to_image, { afterCreates: 1, change: 'attributeIds' })
 * retired.get('gemini-3-pro-image-preview') // [2399, 2400, 2401]
 * ```
 */
export function driftCatalog(tree: ServerProductNode[], drift: CatalogDrift): Map<string, number[]> {
  const retired = new Map<string, number[]>()
  for (const leaf of versionLeaves(tree)) {
    if (drift.modelIds && !drift.modelIds.includes(leaf.model_id)) continue
    for (const rule of leaf.credit_rules ?? []) {
      if (drift.change === 'points') rule.points += 1
      else if (drift.change === 'ruleAttributes') addAttributes(rule, drift.attributes ?? DEFAULT_ADDED_ATTRIBUTES)
      else {
        retired.set(leaf.id, [...(retired.get(leaf.id) ?? []), rule.attribute_id])
        rule.attribute_id += ATTRIBUTE_ID_SHIFT
      }
    }
  }
  return retired
}

/**
 * A key for retired attribute ids: the same version id may exist in both categories with other ids.
 *
 * @example
 * ```ts
 * retiredKey('image_to_image', 'v6') // 'image_to_image/v6'
 * ```
 */
export function retiredKey(category: TaskCategory, versionId: string): string {
  return `${category}/${versionId}`
}
