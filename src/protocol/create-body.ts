import type { FieldIssue } from '../errors.js'
import type { FormField, ProductNode } from '../schemas/products.js'
import type { TaskType } from '../schemas/task-type.js'
import type { CreateTaskBody } from '../schemas/tasks.js'
import {
  chooseCreditRule,
  normaliseAttributeKey,
  normaliseAttributeValue,
  ruleParameters,
  type CreditRuleChoice,
} from './credit-rules.js'
import { findMappingRule, readFormDefaults, uiParamKey } from './virtual-fields.js'

/** Keys the SDK sets itself in the nested parameters; callers cannot override them through `params`. */
export const RESERVED_PARAMETER_KEYS = ['prompt', 'n', 'input_images', 'cast'] as const

/** What the caller asked for, in wire terms. */
export interface ParameterRequest {
  /** Caller's parameters by wire key (`size`, `aspect_ratio`, anything in `params`). */
  overrides: Record<string, unknown>
  /** Keys sent as given even though the form has no field for them (a ratio the model takes natively). */
  passThrough?: readonly string[]
}

/** The parameters planned for one version leaf, before the body is built. */
export interface ParameterPlan {
  choice: CreditRuleChoice
  /** Form defaults with virtual fields resolved. */
  defaults: Record<string, unknown>
  /** The caller's own parameters to send (UI-only keys removed, spelled as the form's options). */
  extras: Record<string, unknown>
  /** Everything that cannot be met, with what to do instead; empty when the plan is good. */
  issues: FieldIssue[]
}

function sameValue(a: unknown, b: unknown): boolean {
  return normaliseAttributeValue(a) === normaliseAttributeValue(b)
}

function distinct(values: unknown[]): unknown[] {
  const seen = new Map<string, unknown>()
  for (const value of values) if (!seen.has(normaliseAttributeValue(value))) seen.set(normaliseAttributeValue(value), value)
  return [...seen.values()]
}

function list(values: unknown[]): string {
  return values.map((value) => String(value)).join(', ')
}

/** The values a form field accepts: its options, and for a virtual field its mapping targets. */
function acceptedValues(field: FormField): unknown[] {
  const options = (field.options ?? []).map((option) => option.value)
  const targets = field.is_ui_virtual ? (field.value_mapping?.mapping_rules ?? []).map((rule) => rule.target_value) : []
  return distinct([...options, ...targets])
}

/**
 * Plans the nested parameters of a create for one version leaf: resolves the
 * form defaults and virtual fields with the caller's overrides, chooses the
 * credit rule, and checks that every value the caller asked for is one the
 * version offers — so a wish that cannot be met is refused before any request
 * instead of silently buying something else.
 */
export function planParameters(leaf: ProductNode, request: ParameterRequest): ParameterPlan {
  const issues: FieldIssue[] = []
  const form = leaf.form_config ?? []
  const rules = leaf.credit_rules ?? []
  const overrides = Object.fromEntries(
    Object.entries(request.overrides).filter(([, value]) => value !== undefined && value !== null),
  )
  const { defaults, consumedKeys } = readFormDefaults(form, overrides)

  // UI parameters of a virtual field must select a mapping rule, or the caller's wish would be ignored.
  for (const field of form.filter((candidate) => candidate.is_ui_virtual)) {
    const asked = (field.ui_params ?? []).map(uiParamKey).filter((key): key is string => key !== undefined && Object.hasOwn(overrides, key))
    if (asked.length === 0) continue
    if (Object.hasOwn(overrides, field.field)) {
      issues.push({ path: asked[0] ?? field.field, message: `${leaf.name} sets ${field.field} from ${asked.join(' and ')}: pass either ${field.field} or ${asked.join('/')}, not both` })
      continue
    }
    if (!findMappingRule(field, overrides)) {
      for (const key of asked) {
        const offered = distinct((field.value_mapping?.mapping_rules ?? []).map((rule) => rule.source_values[key]).filter((value) => value !== undefined))
        issues.push({ path: key, message: `${leaf.name} does not offer ${key} ${String(overrides[key])}; choose one of ${list(offered)}` })
      }
    }
  }

  const fieldsByName = new Map(form.filter((field) => !field.is_ui_virtual).map((field) => [field.field, field]))
  const virtualByName = new Map(form.filter((field) => field.is_ui_virtual).map((field) => [field.field, field]))
  const extras: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(overrides)) {
    if (consumedKeys.has(key)) continue
    const field = fieldsByName.get(key) ?? virtualByName.get(key)
    const accepted = field ? acceptedValues(field) : []
    if (accepted.length > 0) {
      const spelled = accepted.find((candidate) => sameValue(candidate, value))
      if (spelled === undefined) {
        issues.push({ path: key, message: `${leaf.name} does not offer ${key} ${String(value)}; choose one of ${list(accepted)}` })
        continue
      }
      extras[key] = spelled
    } else if (!field && request.passThrough?.includes(key)) {
      extras[key] = value
    } else if (key === 'aspect_ratio' && !field) {
      // No field takes a ratio: the model makes one shape only (Midjourney is 1:1).
      if (!sameValue(value, '1:1')) issues.push({ path: key, message: `${leaf.name} makes square (1:1) images only; leave the aspect ratio out or choose a model that offers ${String(value)}` })
    } else {
      extras[key] = value
    }
  }

  const choice =
    rules.length > 0
      ? chooseCreditRule(rules, { ...defaults, ...extras })
      : undefined
  if (!choice) {
    issues.push({ path: 'model', message: `${leaf.name} (${leaf.id}) has no credit rules in the product list, so it cannot be bought; choose another version or model` })
    return { choice: { rule: { attribute_id: 0, points: 0, attributes: {} }, match: 'first', canonical: {}, matchedCount: 0 }, defaults, extras, issues }
  }

  // A caller's value for a key the rules price must be the chosen rule's value, or the price would be for something else.
  for (const [key, value] of Object.entries(extras)) {
    const priced = rules.flatMap((rule) =>
      Object.entries(ruleParameters(rule)).filter(([ruleKey]) => normaliseAttributeKey(ruleKey) === normaliseAttributeKey(key)).map(([, ruleValue]) => ruleValue),
    )
    if (priced.length === 0) continue
    const chosen = Object.entries(choice.canonical).find(([ruleKey]) => normaliseAttributeKey(ruleKey) === normaliseAttributeKey(key))
    if (!chosen || !sameValue(chosen[1], value)) {
      issues.push({ path: key, message: `${leaf.name} has no price for ${key} ${String(value)}; choose one of ${list(distinct(priced))}` })
    }
  }
  return { choice, defaults, extras, issues }
}

/** Everything {@link buildCreateBody} needs. */
export interface CreateBodyInput {
  taskType: TaskType
  leaf: ProductNode
  plan: Pick<ParameterPlan, 'choice' | 'defaults' | 'extras'>
  prompt: string
  n: number
  inputImages: readonly string[]
}

/**
 * Builds the nested create body. Nested parameters merge, lowest priority
 * first: the rule's attributes, the form defaults, the chosen rule's own
 * spelling, then the caller's parameters for keys the rule does not set;
 * `prompt`, `n`, `input_images` and `cast` last.
 */
export function buildCreateBody(input: CreateBodyInput): CreateTaskBody {
  const { rule, canonical } = input.plan.choice
  const ruleKeys = new Set(Object.keys(canonical).map(normaliseAttributeKey))
  const callerExtras = Object.fromEntries(
    Object.entries(input.plan.extras).filter(([key]) => !ruleKeys.has(normaliseAttributeKey(key))),
  )
  const images = [...input.inputImages]
  const nested: Record<string, unknown> = {
    ...ruleParameters(rule),
    ...input.plan.defaults,
    ...canonical,
    ...callerExtras,
  }
  for (const key of RESERVED_PARAMETER_KEYS) delete nested[key]
  return {
    task_type: input.taskType,
    enable_multi_model: false,
    src_img_url: images,
    parameters: [
      {
        attribute_id: rule.attribute_id,
        model_id: input.leaf.model_id,
        model_name: input.leaf.name,
        model_version: input.leaf.id,
        app: 'ima',
        platform: 'web',
        category: input.taskType,
        credit: rule.points,
        parameters: {
          ...nested,
          prompt: input.prompt,
          n: input.n,
          input_images: [...images],
          cast: { points: rule.points, attribute_id: rule.attribute_id },
        },
      },
    ],
  }
}

/**
 * The task type: as given, else image_to_image when there are input images.
 *
 * @example
 * ```ts
 * inferTaskType(undefined, ['https://example.com/cat.png']) // 'image_to_image'
 * ```
 */
export function inferTaskType(taskType: TaskType | undefined, inputImages: readonly unknown[] | undefined): TaskType {
  return taskType ?? ((inputImages?.length ?? 0) > 0 ? 'image_to_image' : 'text_to_image')
}
