/**
 * Checks a `POST /open/v1/tasks/create` body the way the real service does
 * (protocol §2), returning the FIRST failure with the service's status and
 * code. Written independently from the SDK client so that the integration
 * tests compare two implementations instead of one with itself.
 *
 * Where the documents say the service is lenient (protocol §9), the check is
 * lenient too and notes a warning; on a strict server (`strict: true`) each
 * of those is a 400 instead. See docs/testing.md, "How the local server
 * answers like the service".
 */
import { findVersionLeaf, TASK_CATEGORIES } from './catalog.js'
import type { ServerCreditRule, ServerProductNode, TaskCategory } from './catalog.js'
import { retiredKey } from './catalog-drift.js'
import { failure } from './envelope.js'
import type { JsonReply } from './envelope.js'
import { nominalDimensions } from './image-dimensions.js'
import type { Dimensions } from './image-dimensions.js'
import { LeniencyLog } from './warnings.js'
import type { Leniency } from './warnings.js'

/** The values of a create that passed every check except the balance. */
export interface CheckedCreate {
  taskType: TaskCategory
  modelId: string
  modelVersion: string
  attributeId: number
  credit: number
  n: number
  prompt: string
  /** The nested parameters exactly as received. */
  parameters: Record<string, unknown>
  /**
   * The nested parameters as the service reads them: values in the list's own
   * spelling, an ignored `aspect_ratio` left out. The picture follows these.
   */
  effectiveParameters: Record<string, unknown>
  inputImages: string[]
}

/** Either the checked values or the answer to give; with the leniencies applied on the way either way. */
export type CreateCheck =
  | { ok: true; create: CheckedCreate; leniencies: Leniency[] }
  | { ok: false; reply: JsonReply; leniencies: Leniency[] }

/** What the server's options and state add to the protocol's checks. */
export interface CreateRules {
  /** Refuse (400) what the service accepts leniently. */
  strict: boolean
  /** Attribute ids the list carried before it moved, by {@link retiredKey}: a create still sending one gets 6010. */
  retiredAttributeIds: ReadonlyMap<string, ReadonlySet<number>>
  /** Sizes the backend cannot make, by model id, compared case-insensitively. */
  rejectSizes: Readonly<Record<string, readonly string[]>>
  /** The status (and code) of the answer to a rejected size. */
  rejectSizeStatus: 400 | 500
  /** This server's own origin: its upload links (`fdl`) are inputs like the service's CDN, even over plain http. */
  ownOrigin?: string
}

/** The rules of a plain server: lenient, nothing retired, nothing rejected. */
export const LENIENT_RULES: CreateRules = { strict: false, retiredAttributeIds: new Map(), rejectSizes: {}, rejectSizeStatus: 500 }

/**
 * Most images one create may ask for. The service states no limit (each image
 * is charged, so the balance is the real one); this guard only keeps a
 * runaway loop from making the local server draw millions of pictures.
 */
export const MAX_IMAGES_PER_TASK = 1000

const DEFAULT_MARKER = 'default'
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
const NESTED = 'parameters[0].parameters'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function badRequest(message: string): JsonReply {
  return failure(400, 400, message)
}

function business(code: number, message: string): JsonReply {
  return failure(200, code, message)
}

/** A value as the service compares rule values and sizes (protocol §1 step 2): trimmed, upper-cased. */
function normalised(value: unknown): string {
  const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
  return text.trim().toUpperCase()
}

/** How the nested parameters compare with one rule's attributes (less the default marker). */
interface RuleComparison {
  matches: boolean
  /** Attributes the parameters do not carry at all. */
  missing: string[]
  /** Attributes that matched only once normalised: what was sent and the rule's own spelling. */
  respelled: { key: string; sent: unknown; canonical: string | number | boolean }[]
}

function compareRule(rule: ServerCreditRule, parameters: Record<string, unknown>): RuleComparison {
  const missing: string[] = []
  const respelled: RuleComparison['respelled'] = []
  let mismatched = false
  for (const [key, canonical] of Object.entries(rule.attributes)) {
    if (key === DEFAULT_MARKER) continue
    const sent = parameters[key]
    if (sent === undefined || sent === null) missing.push(key)
    else if (String(sent) === String(canonical)) continue
    else if (normalised(sent) === normalised(canonical)) respelled.push({ key, sent, canonical })
    else mismatched = true
  }
  return { matches: missing.length === 0 && !mismatched, missing, respelled }
}

/** Sizes a leaf accepts, in its own spelling: options of its `size` fields plus the targets of virtual size mappings. */
function allowedSizes(leaf: ServerProductNode): string[] {
  const sizes = new Set<string>()
  for (const field of leaf.form_config ?? []) {
    if (field.field !== 'size') continue
    for (const option of field.options ?? []) sizes.add(String(option.value))
    if (field.is_ui_virtual) {
      for (const rule of field.value_mapping?.mapping_rules ?? []) sizes.add(String(rule.target_value))
    }
  }
  // Listed by some clients' readings of the form, but refused by SeeDream 4.5 (protocol §2).
  return [...sizes].filter((size) => normalised(size) !== 'ADAPTIVE')
}

/** The size a create without one gets: the `size` field's default. */
function defaultSize(leaf: ServerProductNode): unknown {
  return (leaf.form_config ?? []).find((field) => field.field === 'size')?.value
}

/** The leaf's real (not virtual) `aspect_ratio` field, when it has one. */
function nativeRatioField(leaf: ServerProductNode) {
  return (leaf.form_config ?? []).find((field) => field.field === 'aspect_ratio' && !field.is_ui_virtual)
}

/** The size a virtual size field maps this ratio to (SeeDream's 16:9 → 2560x1440), if any. */
function mappedSize(leaf: ServerProductNode, ratio: unknown): string | undefined {
  for (const field of leaf.form_config ?? []) {
    if (field.field !== 'size' || !field.is_ui_virtual) continue
    const rule = field.value_mapping?.mapping_rules.find((r) => String(r.source_values.aspect_ratio) === String(ratio))
    if (rule) return String(rule.target_value)
  }
  return undefined
}

/** Whether a 'W:H' ratio is the shape of these dimensions (within 1%). */
function ratioAgrees(ratio: unknown, made: Dimensions): boolean {
  const match = typeof ratio === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(ratio) : null
  if (!match) return false
  const asked = Number(match[1]) / Number(match[2])
  const shape = made.width / made.height
  return Number.isFinite(asked) && asked > 0 && Math.abs(asked - shape) / shape < 0.01
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
  const nested = asList(inputImages, `${NESTED}.input_images`)
  if (typeof nested === 'string') return { ok: false, message: nested }
  if (taskType === 'text_to_image') {
    if (top.length > 0 || nested.length > 0) {
      return { ok: false, message: 'text_to_image takes no input images (src_img_url and input_images must be empty)' }
    }
    return { ok: true, images: [] }
  }
  if (top.length === 0 || nested.length === 0) {
    return { ok: false, message: `image_to_image needs input images in both src_img_url and ${NESTED}.input_images` }
  }
  const bad = [...top, ...nested].find((url) => !isAcceptedImageUrl(url))
  if (bad !== undefined) {
    return { ok: false, message: `input image must be an https URL (or http on a loopback host): ${String(bad)}` }
  }
  const topSet = new Set(top as string[])
  const nestedSet = new Set(nested as string[])
  const same = topSet.size === nestedSet.size && [...topSet].every((url) => nestedSet.has(url))
  if (!same) return { ok: false, message: `src_img_url and ${NESTED}.input_images must hold the same URLs` }
  return { ok: true, images: nested as string[] }
}

/** The attribute id, the points and the cast, against the leaf's rules. */
function checkRule(
  category: TaskCategory,
  leaf: ServerProductNode,
  p: Record<string, unknown>,
  nested: Record<string, unknown>,
  rules: CreateRules,
): { ok: true; rule: ServerCreditRule } | { ok: false; reply: JsonReply } {
  const rule = p.attribute_id ? (leaf.credit_rules ?? []).find((r) => r.attribute_id === p.attribute_id) : undefined
  if (!rule) {
    const retired = typeof p.attribute_id === 'number' && rules.retiredAttributeIds.get(retiredKey(category, leaf.id))?.has(p.attribute_id)
    // The live service knows the id it just rotated: a stale client hears "does not match", not "invalid".
    if (retired) return { ok: false, reply: business(6010, 'attribute_id does not match the parameters (the product list changed: read it again)') }
    return { ok: false, reply: business(6001, 'Invalid product attribute') }
  }
  if (p.credit !== rule.points) return { ok: false, reply: business(6006, 'credit does not match the rule points') }
  const cast = nested.cast
  if (!isRecord(cast) || cast.points !== p.credit) return { ok: false, reply: business(6006, 'cast.points does not match credit') }
  if (cast.attribute_id !== p.attribute_id) return { ok: false, reply: business(6010, 'cast.attribute_id does not match attribute_id') }
  return { ok: true, rule }
}

/**
 * Checks a create body against the product trees. The balance is not
 * checked here: it belongs to the caller's key, not to the body.
 *
 * @example
 * ```ts
 * const check = checkCreateBody(body, state.catalogs, { ...LENIENT_RULES, strict: true })
 * if (!check.ok) return check.reply
 * ```
 */
export function checkCreateBody(
  body: unknown,
  catalogs: Record<TaskCategory, ServerProductNode[]>,
  rules: CreateRules = LENIENT_RULES,
): CreateCheck {
  const log = new LeniencyLog(rules.strict)
  const refuse = (reply: JsonReply): CreateCheck => ({ ok: false, reply, leniencies: log.entries })

  if (!isRecord(body)) return refuse(badRequest('the request body must be a JSON object'))
  const taskType = body.task_type
  if (typeof taskType !== 'string' || !TASK_CATEGORIES.includes(taskType as TaskCategory)) {
    return refuse(badRequest(`task_type must be one of ${TASK_CATEGORIES.join(', ')}`))
  }
  const category = taskType as TaskCategory
  if (!Array.isArray(body.parameters) || body.parameters.length === 0) {
    return refuse(badRequest('parameters must be a non-empty array'))
  }
  const p: unknown = body.parameters[0]
  if (!isRecord(p)) return refuse(badRequest('parameters[0] must be an object'))
  const nested = p.parameters
  if (!isRecord(nested)) return refuse(badRequest(`${NESTED} must be an object`))
  // Protocol §2 fixes these; the service is not documented to check them, so only strict mode refuses.
  for (const [key, fixed] of [['app', 'ima'], ['platform', 'web'], ['category', category]] as const) {
    if (p[key] === fixed) continue
    const sent = p[key] === undefined ? 'missing' : JSON.stringify(p[key])
    const refusal = log.allow(
      'create-field',
      `parameters[0].${key}`,
      `parameters[0].${key} is ${sent} where the protocol sends ${JSON.stringify(fixed)}: accepted here`,
      `invalid parameters[0].${key} (${sent}): the protocol sends ${JSON.stringify(fixed)} (strict mode)`,
    )
    if (refusal) return refuse(refusal)
  }
  if (body.parameters.length > 1) {
    const refusal = log.allow(
      'create-field',
      'parameters',
      `parameters has ${body.parameters.length} entries: only the first is read and charged`,
      `invalid parameters: ${body.parameters.length} entries where the protocol sends one (strict mode; only the first would be read and charged)`,
    )
    if (refusal) return refuse(refusal)
  }

  const leaf = findVersionLeaf(catalogs[category], p.model_version)
  if (!leaf || leaf.model_id !== p.model_id || leaf.name !== p.model_name) {
    return refuse(
      badRequest(
        `unknown model_version ${JSON.stringify(p.model_version)} for model_id ${JSON.stringify(p.model_id)} and model_name ${JSON.stringify(p.model_name)} in ${category}`,
      ),
    )
  }

  const ruleCheck = checkRule(category, leaf, p, nested, rules)
  if (!ruleCheck.ok) return refuse(ruleCheck.reply)
  const { rule } = ruleCheck

  const prompt = nested.prompt
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    return refuse(badRequest(`prompt is required in ${NESTED}.prompt`))
  }

  // The parameters as the service reads them; the picture is drawn from these.
  const effective: Record<string, unknown> = { ...nested }

  const chosen = compareRule(rule, nested)
  if (!chosen.matches) {
    if ((leaf.credit_rules ?? []).some((other) => other !== rule && compareRule(other, nested).matches)) {
      return refuse(business(6010, 'attribute_id does not match the parameters'))
    }
    const missing = chosen.missing.length > 0 ? ` (missing ${chosen.missing.join(', ')})` : ''
    return refuse(business(6009, `no credit rule matches the parameters${missing}`))
  }
  for (const { key, sent, canonical } of chosen.respelled) {
    const refusal = log.allow(
      'value-normalised',
      `${NESTED}.${key}`,
      `${key} ${JSON.stringify(sent)} read as ${JSON.stringify(canonical)} (rule values compare case-insensitively)`,
      `invalid ${key} ${JSON.stringify(sent)} for ${leaf.name}: the product list spells it ${JSON.stringify(canonical)} (strict mode compares exactly; the service would accept it)`,
    )
    if (refusal) return refuse(refusal)
    effective[key] = canonical
  }

  if (nested.size !== undefined) {
    const offered = allowedSizes(leaf)
    if (!offered.includes(String(nested.size))) {
      const spelled = offered.find((size) => normalised(size) === normalised(nested.size))
      if (spelled === undefined) return refuse(badRequest(`invalid size ${JSON.stringify(nested.size)} for ${leaf.name}: it takes ${offered.join(', ')}`))
      const refusal = log.allow(
        'value-normalised',
        `${NESTED}.size`,
        `size ${JSON.stringify(nested.size)} read as ${JSON.stringify(spelled)} (sizes compare case-insensitively)`,
        `invalid size ${JSON.stringify(nested.size)} for ${leaf.name}: the product list spells it ${JSON.stringify(spelled)} (strict mode compares exactly; the service would accept it)`,
      )
      if (refusal) return refuse(refusal)
      effective.size = spelled
    }
  }

  if (nested.aspect_ratio !== undefined) {
    const native = nativeRatioField(leaf)
    if (native) {
      const ratios = (native.options ?? []).map((option) => String(option.value))
      if (!ratios.includes(String(nested.aspect_ratio))) {
        return refuse(badRequest(`invalid aspect_ratio ${JSON.stringify(nested.aspect_ratio)} for ${leaf.name}: it takes ${ratios.join(', ')}`))
      }
    } else {
      // No such parameter on this model: the service ignores it (skill FAQ Q5) and makes the image of the size.
      delete effective.aspect_ratio
      const made = nominalDimensions(effective)
      if (!ratioAgrees(nested.aspect_ratio, made)) {
        const mapped = mappedSize(leaf, nested.aspect_ratio)
        const how = mapped ? `; for ${String(nested.aspect_ratio)} send size ${JSON.stringify(mapped)}` : ''
        const refusal = log.allow(
          'aspect-ratio-ignored',
          `${NESTED}.aspect_ratio`,
          `${leaf.name} takes no aspect_ratio parameter: ${JSON.stringify(nested.aspect_ratio)} ignored, the image is ${made.width}x${made.height}${how}`,
          `invalid aspect_ratio ${JSON.stringify(nested.aspect_ratio)} for ${leaf.name}: it takes no aspect_ratio parameter${how} (strict mode; the service would ignore it and make a ${made.width}x${made.height} image)`,
        )
        if (refusal) return refuse(refusal)
      }
    }
  }

  const n = nested.n ?? 1
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    return refuse(badRequest('n must be a whole number of at least 1 (the number of images)'))
  }
  if (n > MAX_IMAGES_PER_TASK) {
    return refuse(
      badRequest(`n must be at most ${MAX_IMAGES_PER_TASK} on the local server, a guard against runaway loops (the service states no limit; each image is charged)`),
    )
  }

  const images = checkImages(category, body.src_img_url, nested.input_images)
  if (!images.ok) return refuse(badRequest(images.message))
  // Plain http on loopback lets a test serve its own inputs; the service fetches public https URLs only.
  const plainInput = images.images.find((url) => new URL(url).protocol === 'http:' && new URL(url).origin !== rules.ownOrigin)
  if (plainInput !== undefined) {
    const refusal = log.allow(
      'http-input-image',
      `${NESTED}.input_images`,
      `input image ${plainInput} is plain http: accepted on loopback here, but the service takes public https URLs only`,
      `invalid input image ${plainInput}: the service takes public https URLs only (strict mode; plain http is accepted only for this server's own upload links)`,
    )
    if (refusal) return refuse(refusal)
  }

  if (body.enable_multi_model !== undefined && body.enable_multi_model !== false) {
    return refuse(badRequest('enable_multi_model must be false'))
  }

  // Last, as on the service: a body that passed every check reaches the backend, which cannot make this size.
  const size = effective.size ?? defaultSize(leaf)
  const rejected = rules.rejectSizes[leaf.model_id]
  if (size !== undefined && rejected?.some((value) => normalised(value) === normalised(size))) {
    const status = rules.rejectSizeStatus
    return refuse(failure(status, status, `the backend could not make size ${JSON.stringify(String(size))} with ${leaf.name}: try a smaller size`))
  }

  return {
    ok: true,
    leniencies: log.entries,
    create: {
      taskType: category,
      modelId: leaf.model_id,
      modelVersion: leaf.id,
      attributeId: rule.attribute_id,
      credit: rule.points,
      n,
      prompt,
      parameters: nested,
      effectiveParameters: effective,
      inputImages: images.images,
    },
  }
}
