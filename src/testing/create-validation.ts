/**
 * Checks a `POST /open/v1/tasks/create` body the way the real service does
 * (protocol §2), returning the FIRST failure with the service's status and
 * code. Written independently from the SDK client so that the integration
 * tests compare two implementations instead of one with itself.
 */
import { findVersionLeaf, TASK_CATEGORIES } from './catalog.js'
import type { ServerCreditRule, ServerProductNode, TaskCategory } from './catalog.js'
import { failure } from './envelope.js'
import type { JsonReply } from './envelope.js'

/** The values of a create that passed every check except the balance. */
export interface CheckedCreate {
  taskType: TaskCategory
  modelId: string
  modelVersion: string
  attributeId: number
  credit: number
  n: number
  prompt: string
  parameters: Record<string, unknown>
  inputImages: string[]
}

/** Either the checked values or the answer to give. */
export type CreateCheck = { ok: true; create: CheckedCreate } | { ok: false; reply: JsonReply }

const DEFAULT_MARKER = 'default'
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function reject(reply: JsonReply): CreateCheck {
  return { ok: false, reply }
}

function badRequest(message: string): CreateCheck {
  return reject(failure(400, 400, message))
}

function business(code: number, message: string): CreateCheck {
  return reject(failure(200, code, message))
}

/** Whether every attribute of the rule (less the default marker) equals the parameter of the same key, as exact strings. */
function ruleMatches(rule: ServerCreditRule, parameters: Record<string, unknown>): boolean {
  return Object.entries(rule.attributes).every(
    ([key, value]) => key === DEFAULT_MARKER || (parameters[key] !== undefined && String(parameters[key]) === String(value)),
  )
}

/** Sizes a leaf accepts: options of its `size` fields plus the targets of virtual size mappings. */
function allowedSizes(leaf: ServerProductNode): Set<string> {
  const sizes = new Set<string>()
  for (const field of leaf.form_config ?? []) {
    if (field.field !== 'size') continue
    for (const option of field.options ?? []) sizes.add(String(option.value))
    if (field.is_ui_virtual) {
      for (const rule of field.value_mapping?.mapping_rules ?? []) sizes.add(String(rule.target_value))
    }
  }
  sizes.delete('adaptive')
  return sizes
}

/** Ratios a leaf accepts natively; a leaf without a real `aspect_ratio` field only does 1:1. */
function allowedRatios(leaf: ServerProductNode): Set<string> {
  const field = (leaf.form_config ?? []).find((f) => f.field === 'aspect_ratio' && !f.is_ui_virtual)
  if (!field) return new Set(['1:1'])
  return new Set((field.options ?? []).map((option) => String(option.value)))
}

function isAcceptedImageUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  if (url.protocol === 'https:') return url.hostname !== ''
  // Plain http only for loopback, so a local server can host inputs in tests.
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)
}

function checkImages(
  taskType: TaskCategory,
  srcImgUrl: unknown,
  inputImages: unknown,
): { ok: true; images: string[] } | { ok: false; message: string } {
  const asList = (value: unknown, name: string): unknown[] | string => {
    if (value === undefined || value === null) return []
    return Array.isArray(value) ? value : `${name} must be an array`
  }
  const top = asList(srcImgUrl, 'src_img_url')
  if (typeof top === 'string') return { ok: false, message: top }
  const nested = asList(inputImages, 'parameters[0].parameters.input_images')
  if (typeof nested === 'string') return { ok: false, message: nested }
  if (taskType === 'text_to_image') {
    if (top.length > 0 || nested.length > 0) {
      return { ok: false, message: 'text_to_image takes no input images (src_img_url and input_images must be empty)' }
    }
    return { ok: true, images: [] }
  }
  if (top.length === 0 || nested.length === 0) {
    return { ok: false, message: 'image_to_image needs input images in both src_img_url and parameters[0].parameters.input_images' }
  }
  const bad = [...top, ...nested].find((url) => !isAcceptedImageUrl(url))
  if (bad !== undefined) {
    return { ok: false, message: `input image must be an https URL (or http on a loopback host): ${String(bad)}` }
  }
  const topSet = new Set(top as string[])
  const nestedSet = new Set(nested as string[])
  const same = topSet.size === nestedSet.size && [...topSet].every((url) => nestedSet.has(url))
  if (!same) return { ok: false, message: 'src_img_url and parameters[0].parameters.input_images must hold the same URLs' }
  return { ok: true, images: nested as string[] }
}

/**
 * Checks a create body against the product trees. The balance is not
 * checked here: it belongs to the caller's key, not to the body.
 */
export function checkCreateBody(body: unknown, catalogs: Record<TaskCategory, ServerProductNode[]>): CreateCheck {
  if (!isRecord(body)) return badRequest('the request body must be a JSON object')
  const taskType = body.task_type
  if (typeof taskType !== 'string' || !TASK_CATEGORIES.includes(taskType as TaskCategory)) {
    return badRequest(`task_type must be one of ${TASK_CATEGORIES.join(', ')}`)
  }
  const category = taskType as TaskCategory
  if (!Array.isArray(body.parameters) || body.parameters.length === 0) {
    return badRequest('parameters must be a non-empty array')
  }
  const p: unknown = body.parameters[0]
  if (!isRecord(p)) return badRequest('parameters[0] must be an object')
  const nested = p.parameters
  if (!isRecord(nested)) return badRequest('parameters[0].parameters must be an object')

  const leaf = findVersionLeaf(catalogs[category], p.model_version)
  if (!leaf || leaf.model_id !== p.model_id || leaf.name !== p.model_name) {
    return badRequest(
      `unknown model_version ${JSON.stringify(p.model_version)} for model_id ${JSON.stringify(p.model_id)} and model_name ${JSON.stringify(p.model_name)} in ${category}`,
    )
  }

  const rules = leaf.credit_rules ?? []
  const rule = p.attribute_id ? rules.find((r) => r.attribute_id === p.attribute_id) : undefined
  if (!rule) return business(6001, 'Invalid product attribute')
  if (p.credit !== rule.points) return business(6006, 'credit does not match the rule points')

  const cast = nested.cast
  if (!isRecord(cast) || cast.points !== p.credit) return business(6006, 'cast.points does not match credit')
  if (cast.attribute_id !== p.attribute_id) return business(6010, 'cast.attribute_id does not match attribute_id')

  const prompt = nested.prompt
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    return badRequest('prompt is required in parameters[0].parameters.prompt')
  }

  if (!ruleMatches(rule, nested)) {
    if (rules.some((other) => other !== rule && ruleMatches(other, nested))) {
      return business(6010, 'attribute_id does not match the parameters')
    }
    return business(6009, 'no credit rule matches the parameters')
  }

  if (nested.size !== undefined && !allowedSizes(leaf).has(String(nested.size))) {
    return badRequest(`invalid size ${JSON.stringify(nested.size)} for ${leaf.name}`)
  }
  if (nested.aspect_ratio !== undefined && !allowedRatios(leaf).has(String(nested.aspect_ratio))) {
    return badRequest(`invalid aspect_ratio ${JSON.stringify(nested.aspect_ratio)} for ${leaf.name}`)
  }

  const n = nested.n ?? 1
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4) {
    return badRequest('n must be an integer from 1 to 4')
  }

  const images = checkImages(category, body.src_img_url, nested.input_images)
  if (!images.ok) return badRequest(images.message)

  if (body.enable_multi_model !== undefined && body.enable_multi_model !== false) {
    return badRequest('enable_multi_model must be false')
  }

  return {
    ok: true,
    create: {
      taskType: category,
      modelId: leaf.model_id,
      modelVersion: leaf.id,
      attributeId: rule.attribute_id,
      credit: rule.points,
      n,
      prompt,
      parameters: nested,
      inputImages: images.images,
    },
  }
}
