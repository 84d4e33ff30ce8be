import * as z from 'zod/mini'
import { checkServiceURL, describeUrlProblem } from '../protocol/urls.js'
import { TASK_TYPES, type TaskType } from './task-type.js'
import { IssueList, checkOptional, isJsonObject, pathOf, type DataCheck } from './data-check.js'


const nonEmpty = z.string().check(z.trim(), z.minLength(1, 'must not be empty'))

/** A URL the service may be given or may hand out: the one URL rule (protocol/urls.ts). */
function urlRuleCheck(value: string): string | undefined {
  const verdict = checkServiceURL(value)
  return verdict.ok ? undefined : describeUrlProblem(verdict.problem)
}

const imageUrlSchema = z.string().check(
  z.refine((value: string) => urlRuleCheck(value) === undefined, 'must be a public https URL (http only on loopback, no user name or password)'),
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
 * A check of the SDK's own work (a body a bug made wrong is refused before
 * it costs anything), so zod: it runs once per create, not per poll.
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

/**
 * The body of `POST /open/v1/tasks/create`, as the SDK sends it: the prompt
 * nested, `cast` mirroring the credit, image_to_image inputs in both places.
 * @public
 */
export interface CreateTaskBody {
  /** `text_to_image`, or `image_to_image` when there are input images. */
  task_type: TaskType
  /** Always false: one model per task. */
  enable_multi_model: false
  /** The input images (public https URLs); empty for text_to_image. */
  src_img_url: string[]
  /** Exactly one entry: the model and the rule chosen for it. */
  parameters: [CreateTaskParameter]
}

/** The one entry of `CreateTaskBody.parameters`: the model, the chosen rule and the nested parameters. @public */
export interface CreateTaskParameter {
  /** The chosen credit rule's id. */
  attribute_id: number
  /** The leaf's `model_id`. */
  model_id: string
  /** The leaf's `name`. */
  model_name: string
  /** The leaf's `id` (the version). */
  model_version: string
  app: 'ima'
  platform: 'web'
  /** The same as `task_type`. */
  category: TaskType
  /** Points per image of the chosen rule. */
  credit: number
  /** The form values (defaults, then the caller's), with the prompt, `n`, the inputs again and `cast`. */
  parameters: {
    prompt: string
    /** Images to make; each is charged `credit`. */
    n: number
    /** The same URLs as `src_img_url`. */
    input_images: string[]
    /** Mirrors `credit` and `attribute_id`. */
    cast: { points: number; attribute_id: number }
    [parameter: string]: unknown
  }
}

// The schema and the interface describe one body: a change to either that the other lacks fails the type check here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const schemaMatchesBody: Same<z.infer<typeof createBodySchema>, CreateTaskBody> = true
void schemaMatchesBody

/**
 * Checks `data` of the create answer: the task id, a non-empty string or a
 * number (made a string).
 *
 * @example
 * ```ts
 * readCreateResult({ id: 12345 }) // { success: true, data: { id: '12345' } }
 * ```
 */
export function readCreateResult(value: unknown): DataCheck<{ id: string; [extra: string]: unknown }> {
  const found = new IssueList()
  if (!isJsonObject(value)) {
    found.add('', 'must be an object with the task id')
    return found.verdict(value as { id: string })
  }
  if (typeof value.id === 'number') value.id = String(value.id)
  else if (typeof value.id !== 'string' || value.id === '') found.add('id', 'must be the task id')
  return found.verdict(value as { id: string })
}

/** One media of a task detail, as the wire sends it. @public */
export interface WireMedia {
  /** 0 processing, 1 done, 2 failed, 3 deleted (numbers or strings on the wire). */
  resource_status?: number | string | null
  /** "pending", "processing", "success" or "failed". */
  status?: string | null
  /** The result, when done. */
  url?: string | null
  /** The result with a watermark: used when `url` is empty. */
  watermark_url?: string | null
  /** A small preview of the result. */
  cover_url?: string | null
  preview_url?: string | null
  /** The file type, e.g. `png`. */
  format?: string | null
  width?: number | null
  height?: number | null
  /** Why it failed, in the service's words (redacted before the SDK shows it). */
  error_msg?: string | null
  remark?: string | null
  /** Other fields the service sent, kept as they are. */
  [extra: string]: unknown
}

/** `data` of the task detail answer, as the wire sends it. @public */
export interface WireTaskDetail {
  /** The task id (the SDK uses the one it asked for when this is absent). */
  id?: string | number | null
  /** One entry per image of the task. */
  medias?: WireMedia[] | null
  /** Other fields the service sent, kept as they are. */
  [extra: string]: unknown
}

const MEDIA_TEXT_FIELDS = ['status', 'format', 'error_msg', 'remark'] as const
const MEDIA_URL_FIELDS = ['url', 'watermark_url', 'cover_url', 'preview_url'] as const

/**
 * Checks `data` of the task detail answer. A result URL must pass the URL
 * rule (or be empty): a `javascript:` or `file:` answer is refused here,
 * never handed to a browser, a download or a later create.
 *
 * @example
 * ```ts
 * const checked = readTaskDetailData({ id: 't1', medias: [{ resource_status: 1, url: 'https://cdn.example/a.png' }] })
 * ```
 */
export function readTaskDetailData(value: unknown): DataCheck<WireTaskDetail> {
  const found = new IssueList()
  if (!isJsonObject(value)) {
    found.add('', 'must be an object')
    return found.verdict(value as WireTaskDetail)
  }
  const id = value.id
  if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number') found.add('id', 'must be a string or a number')
  const medias = value.medias
  if (medias !== undefined && medias !== null) {
    if (!Array.isArray(medias)) found.add('medias', 'must be a list')
    else for (let index = 0; index < medias.length; index += 1) checkMedia(medias[index], `medias.${index}`, found)
  }
  return found.verdict(value as WireTaskDetail)
}

function checkMedia(media: unknown, path: string, found: IssueList): void {
  if (!isJsonObject(media)) {
    found.add(path, 'must be an object')
    return
  }
  const status = media.resource_status
  if (status !== undefined && status !== null && typeof status !== 'number' && typeof status !== 'string') found.add(pathOf(path, 'resource_status'), 'must be a number or a string')
  for (const key of MEDIA_TEXT_FIELDS) checkOptional(media, key, 'string', path, found)
  checkOptional(media, 'width', 'number', path, found)
  checkOptional(media, 'height', 'number', path, found)
  for (const key of MEDIA_URL_FIELDS) {
    const url = media[key]
    if (url === undefined || url === null || url === '') continue
    if (typeof url !== 'string' || urlRuleCheck(url) !== undefined) found.add(pathOf(path, key), 'must be an https URL (http only on loopback)')
  }
}
