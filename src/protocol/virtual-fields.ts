import type { FormField, ValueMappingRule } from '../schemas/products.js'
import { normaliseAttributeValue } from './credit-rules.js'

/** The name a UI parameter is known by (`field`, or `id` in older lists). */
export function uiParamKey(param: { field?: string; id?: string }): string | undefined {
  return param.field ?? param.id
}

/**
 * Resolves a virtual (`is_ui_virtual`) field the way the web front end does:
 * the UI parameters' defaults, replaced by the caller's values where given,
 * select the first mapping rule whose `source_values` all equal them; its
 * `target_value` is the value to send. Without a matching rule, the field's
 * own `value`.
 */
export function resolveVirtualField(field: FormField, overrides: Record<string, unknown> = {}): unknown {
  const rule = findMappingRule(field, overrides)
  return rule ? rule.target_value : field.value
}

/**
 * The first mapping rule of a virtual field whose `source_values` all equal
 * the UI parameters (defaults replaced by the caller's `overrides`), if any.
 */
export function findMappingRule(field: FormField, overrides: Record<string, unknown> = {}): ValueMappingRule | undefined {
  const patch: Record<string, unknown> = {}
  for (const param of field.ui_params ?? []) {
    const key = uiParamKey(param)
    if (key === undefined) continue
    patch[key] = Object.hasOwn(overrides, key) ? overrides[key] : param.value
  }
  const rule = field.value_mapping?.mapping_rules.find((candidate) => {
    const entries = Object.entries(candidate.source_values)
    return (
      entries.length > 0 &&
      entries.every(
        ([key, value]) => Object.hasOwn(patch, key) && normaliseAttributeValue(patch[key]) === normaliseAttributeValue(value),
      )
    )
  })
  return rule
}

/** The outcome of {@link readFormDefaults}. */
export interface FormDefaults {
  /** `{field: value}` for every field with a value, virtual fields resolved. */
  defaults: Record<string, unknown>
  /** The UI-parameter keys that virtual fields consumed: they are inputs to the mapping, not parameters to send. */
  consumedKeys: Set<string>
}

/**
 * The form defaults of a version: each field with a non-null `value`, and
 * each virtual field resolved with the caller's `overrides`.
 */
export function readFormDefaults(formConfig: readonly FormField[] | null | undefined, overrides: Record<string, unknown> = {}): FormDefaults {
  const defaults: Record<string, unknown> = {}
  const consumedKeys = new Set<string>()
  const realFields = new Set<string>()
  for (const field of formConfig ?? []) {
    if (field.is_ui_virtual) continue
    realFields.add(field.field)
    if (field.value !== null && field.value !== undefined) defaults[field.field] = field.value
  }
  for (const field of formConfig ?? []) {
    if (!field.is_ui_virtual) continue
    const value = resolveVirtualField(field, overrides)
    if (value !== null && value !== undefined) defaults[field.field] = value
    for (const param of field.ui_params ?? []) {
      const key = uiParamKey(param)
      // A key that is also a real field of the form is a parameter in its own right.
      if (key !== undefined && !realFields.has(key)) consumedKeys.add(key)
    }
  }
  return { defaults, consumedKeys }
}
