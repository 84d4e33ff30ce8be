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
  attribute_id: number
  points: number
  attributes: Record<string, AttributeValue>
  [extra: string]: unknown
}

/** One option of a form field. @public */
export interface FormFieldOption {
  label?: string
  value: unknown
  [extra: string]: unknown
}

/** A UI parameter of a virtual field (`field` or, in older lists, `id`, names it). @public */
export interface UiParam {
  field?: string
  id?: string
  value: unknown
  [extra: string]: unknown
}

/** One rule of a virtual field's value mapping. @public */
export interface ValueMappingRule {
  source_values: Record<string, unknown>
  target_value: unknown
  [extra: string]: unknown
}

/**
 * A form field of a version: its default `value`, its `options`, and for a
 * virtual field (`is_ui_virtual`) the UI parameters and the mapping that
 * turns them into the real value.
 * @public
 */
export interface FormField {
  field: string
  type?: string
  value?: unknown
  options?: FormFieldOption[] | null
  is_ui_virtual?: boolean
  ui_params?: UiParam[] | null
  value_mapping?: { mapping_rules: ValueMappingRule[]; [extra: string]: unknown } | null
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
  children?: ProductNode[] | null
  credit_rules?: CreditRule[] | null
  form_config?: FormField[] | null
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
