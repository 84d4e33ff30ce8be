import type { AttributeValue, CreditRule } from '../schemas/products.js'

/** The attribute that marks a default rule (`{"default": "enabled"}`); it is not a parameter. */
export const DEFAULT_MARKER_KEY = 'default'

/** Keys that always take part in rule matching, whether or not a rule names them. */
const ALWAYS_MATCHED_KEYS = ['size', 'quality', 'n'] as const

/** Keys compare trimmed and lower-cased. */
export function normaliseAttributeKey(key: string): string {
  return key.trim().toLowerCase()
}

/**
 * Values compare as strings, trimmed and upper-cased, so "1k" matches "1K"
 * and "480p" matches "480P". Booleans become "TRUE"/"FALSE" — the protocol's
 * "true"/"false" in the same case as every other value, so a rule that spells
 * a flag as the string "true" still matches the boolean.
 */
export function normaliseAttributeValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value).trim().toUpperCase()
  return String(value).trim().toUpperCase()
}

/** A rule's real parameters: its attributes less the default marker. */
export function ruleParameters(rule: Pick<CreditRule, 'attributes'>): Record<string, AttributeValue> {
  const params: Record<string, AttributeValue> = {}
  for (const [key, value] of Object.entries(rule.attributes ?? {})) {
    if (normaliseAttributeKey(key) !== DEFAULT_MARKER_KEY) params[key] = value
  }
  return params
}

/** How a rule was chosen. */
export type RuleMatch = 'exact' | 'partial' | 'first'

/** The outcome of {@link chooseCreditRule}. */
export interface CreditRuleChoice {
  /** The rule whose `attribute_id` and `points` to send. */
  rule: CreditRule
  /** Whether every attribute of the rule matched (`exact`), only some (`partial`), or none did (`first`). */
  match: RuleMatch
  /** The rule's own spelling of its parameters, to send instead of the caller's ("1K", not "1k"). */
  canonical: Record<string, AttributeValue>
  /** How many of the rule's attributes matched the candidates. */
  matchedCount: number
}

/**
 * The candidate parameters that take part in matching: `size`, `quality`,
 * `n` and any key some rule names, normalised.
 */
export function matchingCandidates(
  rules: readonly CreditRule[],
  parameters: Record<string, unknown>,
): Map<string, string> {
  const keys = new Set<string>(ALWAYS_MATCHED_KEYS)
  for (const rule of rules) for (const key of Object.keys(ruleParameters(rule))) keys.add(normaliseAttributeKey(key))
  const candidates = new Map<string, string>()
  for (const [key, value] of Object.entries(parameters)) {
    const normalised = normaliseAttributeKey(key)
    if (keys.has(normalised) && value !== undefined && value !== null) {
      candidates.set(normalised, normaliseAttributeValue(value))
    }
  }
  return candidates
}

function countMatches(rule: CreditRule, candidates: Map<string, string>): { matched: number; total: number } {
  const params = Object.entries(ruleParameters(rule))
  let matched = 0
  for (const [key, value] of params) {
    if (candidates.get(normaliseAttributeKey(key)) === normaliseAttributeValue(value)) matched += 1
  }
  return { matched, total: params.length }
}

/**
 * Chooses the credit rule for the given parameters, as the service expects:
 * an exact match (every attribute of the rule equals the candidate; among
 * several, the one naming the most attributes, then the first), else the rule
 * with the most equal attributes (the first of equals), else the first rule.
 *
 * @throws RangeError when `rules` is empty (a version without rules cannot be bought).
 */
export function chooseCreditRule(rules: readonly CreditRule[], parameters: Record<string, unknown>): CreditRuleChoice {
  const first = rules[0]
  if (first === undefined) throw new RangeError('chooseCreditRule needs at least one credit rule')
  const candidates = matchingCandidates(rules, parameters)

  let bestExact: { rule: CreditRule; matched: number } | undefined
  let bestPartial: { rule: CreditRule; matched: number } | undefined
  for (const rule of rules) {
    const { matched, total } = countMatches(rule, candidates)
    if (matched === total) {
      if (!bestExact || matched > bestExact.matched) bestExact = { rule, matched }
    } else if (matched > 0 && (!bestPartial || matched > bestPartial.matched)) {
      bestPartial = { rule, matched }
    }
  }
  const chosen = bestExact ?? bestPartial
  const match: RuleMatch = bestExact ? 'exact' : bestPartial ? 'partial' : 'first'
  const rule = chosen?.rule ?? first
  return { rule, match, canonical: ruleParameters(rule), matchedCount: chosen?.matched ?? 0 }
}
