import * as z from 'zod/mini'
import { checkServiceURL, describeUrlProblem } from '../protocol/urls.js'

/** The two task types the image API knows. */
export const TASK_TYPES = ['text_to_image', 'image_to_image'] as const

/** A task type: `text_to_image` or `image_to_image`. @public */
export type TaskType = (typeof TASK_TYPES)[number]

const nonEmpty = z.string().check(z.trim(), z.minLength(1, 'must not be empty'))

/** A URL the service may be given or may hand out: the one URL rule (protocol/urls.ts). */
function urlRuleCheck(value: string): string | undefined {
  const verdict = checkServiceURL(value)
  return verdict.ok ? undefined : describeUrlProblem(verdict.problem)
}

const imageUrlSchema = z.string().check(
  z.refine((value: string) => urlRuleCheck(value) === undefined, 'must be a public https URL (http only on loopback, no user name or password)'),
)

// A result URL the SDK would hand to a browser, a download or a later create: a `javascript:` or `file:` answer is refused, never a success.
const resultUrl = z.optional(
  z.nullable(z.string().check(z.refine((value: string) => value === '' || urlRuleCheck(value) === undefined, 'must be an https URL (http only on loopback)'))),
)

const castSchema = z.object({ points: z.number(), attribute_id: z.int() })

const nestedParametersSchema = z.looseObject({
  prompt: nonEmpty,
  n: z.int().check(z.gte(1, 'must be at least 1')),
  input_images: z.array(imageUrlSchema),
  cast: castSchema,
})

const createParameterSchema = z
  .object({
    attribute_id: z.int().check(z.positive('must be a positive attribute id from the product list')),
    model_id: nonEmpty,
    model_name: nonEmpty,
    model_version: nonEmpty,
    app: z.literal('ima'),
    platform: z.literal('web'),
    category: z.enum(TASK_TYPES),
    credit: z.number().check(z.positive('must be the positive points of the chosen rule')),
    parameters: nestedParametersSchema,
  })
  .check(
    z.refine((p) => p.parameters.cast.points === p.credit, {
      message: 'cast.points must equal credit',
      path: ['parameters', 'cast', 'points'],
    }),
    z.refine((p) => p.parameters.cast.attribute_id === p.attribute_id, {
      message: 'cast.attribute_id must equal attribute_id',
      path: ['parameters', 'cast', 'attribute_id'],
    }),
  )

/**
 * The nested create body, checked in full before it is sent: the prompt
 * nested, `cast` mirroring the credit, image_to_image inputs in both places.
 */
export const createBodySchema = z
  .object({
    task_type: z.enum(TASK_TYPES),
    enable_multi_model: z.literal(false),
    src_img_url: z.array(imageUrlSchema),
    parameters: z.tuple([createParameterSchema]),
  })
  .check(
    z.refine((body) => body.parameters[0].category === body.task_type, {
      message: 'category must equal task_type',
      path: ['parameters', 0, 'category'],
    }),
    z.refine(
      (body) => {
        const nested = body.parameters[0].parameters.input_images
        if (body.task_type === 'text_to_image') return body.src_img_url.length === 0 && nested.length === 0
        return (
          body.src_img_url.length > 0 &&
          body.src_img_url.length === nested.length &&
          body.src_img_url.every((url, index) => nested[index] === url)
        )
      },
      {
        message: 'image_to_image needs the same input images in src_img_url and input_images; text_to_image needs none',
        path: ['src_img_url'],
      },
    ),
  )

/** The body of `POST /open/v1/tasks/create`. @public */
export type CreateTaskBody = z.infer<typeof createBodySchema>

/** Schema of `data` in the create answer. */
export const createResultSchema = z.looseObject({
  id: z.pipe(z.union([z.string().check(z.minLength(1)), z.number()]), z.transform((value: string | number) => String(value))),
})

const optionalText = z.optional(z.nullable(z.string()))
const optionalNumber = z.optional(z.nullable(z.number()))

/** Schema of one media of a task detail, as the wire sends it. */
export const wireMediaSchema = z.looseObject({
  resource_status: z.optional(z.nullable(z.union([z.number(), z.string()]))),
  status: optionalText,
  url: resultUrl,
  watermark_url: resultUrl,
  cover_url: resultUrl,
  preview_url: resultUrl,
  format: optionalText,
  width: optionalNumber,
  height: optionalNumber,
  error_msg: optionalText,
  remark: optionalText,
})

/** One media of a task detail, as the wire sends it. */
export type WireMedia = z.infer<typeof wireMediaSchema>

/** Schema of `data` in the task detail answer. */
export const wireTaskDetailSchema = z.looseObject({
  id: z.optional(z.nullable(z.union([z.string(), z.number()]))),
  medias: z.optional(z.nullable(z.array(wireMediaSchema))),
})
