import { IssueList, checkOptional, isJsonObject, normaliseId, pathOf, type DataCheck } from './data-check.js'

/** A value a credit rule attribute may hold. */
export type AttributeValue = string | number | boolean

/**
 * One credit rule of a version: the `attribute_id` and `points` to send when
 * the parameters match `attributes`. `attributes` may hold the marker
 * `{ default: 'enabled' }`, which is not a parameter.
 * @public
 */
export interface CreditRule {
  /** The rule's id, sent as `attribute_id` (and `cast.attribute_id`) with the create. */
  attribute_id: number
  /** Points per image when this rule applies, sent as `credit` (and `cast.points`). */
  points: number
  /** The parameter values this rule is for, e.g. `{ size: '2K' }` (`{}` when the service sent none). */
  attributes: Record<string, AttributeValue>
  /** Other fields the service sent, kept as they are. */
  [extra: string]: unknown
}

/** One option of a form field. @public */
export interface FormFieldOption {
  /** What the UI shows, e.g. `2K`. */
  label?: string
  /** The value to send when this option is chosen, e.g. `'2k'`. */
  value: unknown
  /** Other fields the service sent, kept as they are. */
  [extra: string]: unknown
}

/** A UI parameter of a virtual field (`field` or, in older lists, `id`, names it). @public */
export interface UiParam {
  /** The parameter's name, e.g. `aspect_ratio`. */
  field?: string
  /** The parameter's name in older lists, when `field` is absent. */
  id?: string
  /** Its default value, used when the caller does not give one. */
  value: unknown
  /** Other fields the service sent, kept as they are. */
  [extra: string]: unknown
}

/** One rule of a virtual field's value mapping. @public */
export interface ValueMappingRule {
  /** UI parameter values this rule matches, e.g. `{ aspect_ratio: '16:9' }`; all must be equal. */
  source_values: Record<string, unknown>
  /** The field's value to send when the rule matches, e.g. `'2560x1440'`. */
  target_value: unknown
  /** Other fields the service sent, kept as they are. */
  [extra: string]: unknown
}

/**
 * A form field of a version: its default `value`, its `options`, and for a
 * virtual field (`is_ui_virtual`) the UI parameters and the mapping that
 * turns them into the real value.
 * @public
 */
export interface FormField {
  /** The parameter's wire name, e.g. `size` or `aspect_ratio`. */
  field: string
  /** The UI control the service suggests, e.g. `tags`. */
  type?: string
  /** The default value (for a virtual field, the value when no mapping rule matches). */
  value?: unknown
  /** The values offered, when the field is a choice. */
  options?: FormFieldOption[] | null
  /** Whether the field's value is computed from `ui_params` through `value_mapping`. */
  is_ui_virtual?: boolean
  /** On a virtual field: the UI parameters that feed the mapping, with their defaults. */
  ui_params?: UiParam[] | null
  /** On a virtual field: the rules that turn UI parameter values into this field's value. */
  value_mapping?: { mapping_rules: ValueMappingRule[]; [extra: string]: unknown } | null
  /** Other fields the service sent, kept as they are. */
  [extra: string]: unknown
}

/**
 * A node of the V2 product tree: a model group (`type` "2") or a version
 * leaf (`type` "3"). Leaves may sit at any depth. Unknown fields are kept.
 * @public
 */
export interface ProductNode {
  /** On a leaf: the `model_version` to send. */
  id: string
  /** "2" group, "3" version leaf (the service sends strings; numbers are normalised to strings). */
  type: string
  /** On a leaf: the `model_name` to send. */
  name: string
  /** On a leaf: the model id (`''` on groups). */
  model_id: string
  /** On a group: its child groups and version leaves. */
  children?: ProductNode[] | null
  /** On a leaf: the credit rules that price its parameter combinations. */
  credit_rules?: CreditRule[] | null
  /** On a leaf: its form fields, with their defaults and options. */
  form_config?: FormField[] | null
  /** Other fields the service sent, kept as they are. */
  [extra: string]: unknown
}

/**
 * Deepest nesting of groups a product list may have. Real lists nest two or
 * three levels; each level is two JSON levels (the node, its `children`), so
 * this stops well before `MAX_ANSWER_DEPTH` JSON levels.
 */
const MAX_TREE_LEVELS = 127

/**
 * Checks `data` of the product list answer and normalises it in place: ids
 * and types as strings, `model_id` `''` on groups, a rule's missing
 * `attributes` as `{}`; `null` data is an empty list. Walks the tree with a
 * list of pending nodes, not recursion, and refuses one deeper than any real
 * list (`tooDeep`).
 *
 * @example
 * ```ts
 * const checked = readProductList([{ id: 'g', type: 2, name: 'Banana', children: [] }])
 * if (checked.success) console.log(checked.data[0]?.type) // '2'
 * ```
 */
export function readProductList(value: unknown): DataCheck<ProductNode[]> {
  const found = new IssueList()
  if (value === null || value === undefined) return { success: true, data: [] }
  if (!Array.isArray(value)) {
    found.add('', 'must be a list of product nodes')
    return found.verdict([])
  }
  const pending: { list: unknown[]; path: string; level: number }[] = [{ list: value, path: '', level: 0 }]
  while (pending.length > 0) {
    const { list, path, level } = pending.pop()!
    if (level > MAX_TREE_LEVELS) return { success: false, issues: [{ path, message: `nests more than ${MAX_TREE_LEVELS} levels of groups` }], tooDeep: true }
    for (let index = 0; index < list.length; index += 1) {
      const node = list[index]
      const nodePath = pathOf(path, index)
      if (!isJsonObject(node)) {
        found.add(nodePath, 'must be an object')
        continue
      }
      checkNode(node, nodePath, found)
      const children = node.children
      if (children === undefined || children === null) continue
      if (Array.isArray(children)) pending.push({ list: children, path: pathOf(nodePath, 'children'), level: level + 1 })
      else found.add(pathOf(nodePath, 'children'), 'must be a list')
    }
  }
  return found.verdict(value as ProductNode[])
}

function checkNode(node: Record<string, unknown>, path: string, found: IssueList): void {
  normaliseId(node, 'id', path, found)
  normaliseId(node, 'type', path, found)
  if (typeof node.name !== 'string') found.add(pathOf(path, 'name'), 'must be a string')
  if (node.model_id === undefined || node.model_id === null) node.model_id = ''
  else if (typeof node.model_id !== 'string') found.add(pathOf(path, 'model_id'), 'must be a string')
  const rules = listOrNothing(node, 'credit_rules', path, found)
  if (rules) for (let index = 0; index < rules.length; index += 1) checkCreditRule(rules[index], pathOf(path, `credit_rules.${index}`), found)
  const fields = listOrNothing(node, 'form_config', path, found)
  if (fields) for (let index = 0; index < fields.length; index += 1) checkFormField(fields[index], pathOf(path, `form_config.${index}`), found)
}

/** The list at `key`, `undefined` when it is absent or null, and reported when it is something else. */
function listOrNothing(object: Record<string, unknown>, key: string, path: string, found: IssueList): unknown[] | undefined {
  const value = object[key]
  if (value === undefined || value === null) return undefined
  if (Array.isArray(value)) return value
  found.add(pathOf(path, key), 'must be a list')
  return undefined
}

function checkCreditRule(rule: unknown, path: string, found: IssueList): void {
  if (!isJsonObject(rule)) return found.add(path, 'must be an object')
  if (typeof rule.attribute_id !== 'number') found.add(pathOf(path, 'attribute_id'), 'must be a number')
  if (typeof rule.points !== 'number') found.add(pathOf(path, 'points'), 'must be a number')
  const attributes = rule.attributes
  if (attributes === undefined || attributes === null) {
    rule.attributes = {}
    return
  }
  if (!isJsonObject(attributes)) return found.add(pathOf(path, 'attributes'), 'must be an object')
  for (const key in attributes) {
    const kind = typeof attributes[key]
    if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') found.add(pathOf(path, `attributes.${key}`), 'must be a string, a number or a boolean')
  }
}

function checkFormField(field: unknown, path: string, found: IssueList): void {
  if (!isJsonObject(field)) return found.add(path, 'must be an object')
  if (typeof field.field !== 'string') found.add(pathOf(path, 'field'), 'must be a string')
  checkOptional(field, 'type', 'string', path, found)
  checkOptional(field, 'is_ui_virtual', 'boolean', path, found)
  const options = listOrNothing(field, 'options', path, found)
  if (options) {
    for (let index = 0; index < options.length; index += 1) {
      const option = options[index]
      if (!isJsonObject(option)) found.add(pathOf(path, `options.${index}`), 'must be an object')
      else checkOptional(option, 'label', 'string', pathOf(path, `options.${index}`), found)
    }
  }
  const uiParams = listOrNothing(field, 'ui_params', path, found)
  if (uiParams) {
    for (let index = 0; index < uiParams.length; index += 1) {
      const param = uiParams[index]
      const paramPath = pathOf(path, `ui_params.${index}`)
      if (!isJsonObject(param)) {
        found.add(paramPath, 'must be an object')
        continue
      }
      checkOptional(param, 'field', 'string', paramPath, found)
      checkOptional(param, 'id', 'string', paramPath, found)
    }
  }
  const mapping = field.value_mapping
  if (mapping === undefined || mapping === null) return
  if (!isJsonObject(mapping) || !Array.isArray(mapping.mapping_rules)) return found.add(pathOf(path, 'value_mapping'), 'must be an object with a list of mapping_rules')
  const rules = mapping.mapping_rules
  for (let index = 0; index < rules.length; index += 1) {
    const rule = rules[index]
    if (!isJsonObject(rule) || !isJsonObject(rule.source_values)) found.add(pathOf(path, `value_mapping.mapping_rules.${index}`), 'must be an object with source_values')
  }
}
