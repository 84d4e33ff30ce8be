import * as z from 'zod/mini'

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

const idLike = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((value: string | number) => String(value)),
)

const attributeValueSchema = z.union([z.string(), z.number(), z.boolean()])

const creditRuleSchema = z.looseObject({
  attribute_id: z.number(),
  points: z.number(),
  attributes: z.pipe(
    z.optional(z.nullable(z.record(z.string(), attributeValueSchema))),
    z.transform((value: Record<string, AttributeValue> | null | undefined) => value ?? {}),
  ),
})

const formFieldSchema = z.looseObject({
  field: z.string(),
  type: z.optional(z.string()),
  value: z.optional(z.unknown()),
  options: z.optional(z.nullable(z.array(z.looseObject({ label: z.optional(z.string()), value: z.unknown() })))),
  is_ui_virtual: z.optional(z.boolean()),
  ui_params: z.optional(
    z.nullable(z.array(z.looseObject({ field: z.optional(z.string()), id: z.optional(z.string()), value: z.unknown() }))),
  ),
  value_mapping: z.optional(
    z.nullable(
      z.looseObject({
        mapping_rules: z.array(
          z.looseObject({ source_values: z.record(z.string(), z.unknown()), target_value: z.unknown() }),
        ),
      }),
    ),
  ),
})

/** Schema of one product node (recursive). */
export const productNodeSchema: z.ZodMiniType<ProductNode, unknown> = z.looseObject({
  id: idLike,
  type: idLike,
  name: z.string(),
  model_id: z.pipe(
    z.optional(z.nullable(z.string())),
    z.transform((value: string | null | undefined) => value ?? ''),
  ),
  get children() {
    return z.optional(z.nullable(z.array(productNodeSchema)))
  },
  credit_rules: z.optional(z.nullable(z.array(creditRuleSchema))),
  form_config: z.optional(z.nullable(z.array(formFieldSchema))),
}) as unknown as z.ZodMiniType<ProductNode, unknown>

/** Schema of `data` in the product list answer: the tree's top-level nodes. */
export const productListSchema = z.array(productNodeSchema)
