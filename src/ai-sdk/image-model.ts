/**
 * One IMA model as a Vercel AI SDK image model (`ImageModelV3`): a
 * `generateImage` call becomes one `ima.generate()` — create, wait — and a
 * download of each result, so budgets, scopes, the journal and the events of
 * the client all apply. Errors are the SDK's own classes, never an
 * `APICallError`, so the AI SDK never re-sends a create.
 */
import type { ImageModelV3, ImageModelV3CallOptions, ImageModelV3File, SharedV3Warning } from '@ai-sdk/provider'
import { nearestAspectRatio, reduceAspectRatio, sizeLongSide, type ModelInfo } from '../catalog/capabilities.js'
import type { GenerateParams, GenerateResult, ImaClient } from '../client.js'
import { attachTaskId, CreateOutcomeUnknownError, ImaAbortError, ValidationError } from '../errors.js'
import { abortErrorFor } from '../internal/abort.js'
import type { UploadSource } from '../resources/uploads/sources.js'
import type { TaskType } from '../schemas/task-type.js'
import { MAX_IMAGES_PER_TASK } from '../schemas/inputs.js'
import { readResultImage } from './download.js'
import { imaModelReference, type ImaImageModelId } from './model-ids.js'
import { parseProviderOptions, type ImaImageProviderOptions } from './provider-options.js'

/**
 * What `doGenerate` returns: the `ImageModelV3` result.
 *
 * @example
 * ```ts
 * const result: ImaImageModelResult = await ima.image('NB Pro').doGenerate(callOptions)
 * ```
 * @public
 */
export type ImaImageModelResult = Awaited<ReturnType<ImageModelV3['doGenerate']>>

/**
 * One image in `providerMetadata.ima.images`. `taskId` and `credit` sit on
 * each image too, because `generateImage` keeps only the `images` list when
 * it merges several calls.
 *
 * @example
 * ```ts
 * const first = (providerMetadata.ima as ImaImageMetadata).images[0]
 * console.log(first?.url, first?.taskId)
 * ```
 * @public
 */
export type ImaImageMetadataImage = {
  /** The image's URL on IMA's CDN: store this, not the bytes. */
  url: string
  /** A cover (thumbnail) URL, when the service gave one. */
  coverUrl: string | null
  /** Width in pixels, when the service reported it. */
  width: number | null
  /** Height in pixels, when the service reported it. */
  height: number | null
  /** The task that made it. */
  taskId: string
  /** Points charged for this image. */
  credit: number
}

/**
 * `providerMetadata.ima` of one `doGenerate`: one IMA task, or several for
 * more than 4 images (each image names its own task).
 *
 * @example
 * ```ts
 * const { taskId, totalCredit } = result.providerMetadata?.ima as ImaImageMetadata
 * ```
 * @public
 */
export type ImaImageMetadata = {
  /** One entry per image, in order. */
  images: ImaImageMetadataImage[]
  /** The (first) task's id, for `ima.tasks.get` or support. */
  taskId: string
  /** Points per image. */
  credit: number
  /** What the tasks cost: credit × n. */
  totalCredit: number
  /** The credit rule's `attribute_id`. */
  attributeId: number
  /** The model the task ran on. */
  model: { id: string; name: string; version: string }
}

/** What a model needs from its provider. @internal */
export interface ImaImageModelConfig {
  /** The client to use; may throw `ImaConfigError` (no key). */
  client: () => ImaClient
  /** The fetch for result downloads. */
  fetch: typeof globalThis.fetch
  /** The cap of one result image, in bytes. */
  maxImageBytes: number
}

const BOX = /^(\d+)x(\d+)$/

/** The part of a call that names size and shape, decided before the create. */
interface SizePlan {
  size: string | undefined
  aspectRatio: string | undefined
}

function decodeBase64(text: string, index: number): Uint8Array {
  const body = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text
  let binary: string
  try {
    binary = atob(body.replace(/\s+/g, ''))
  } catch (error) {
    throw new ValidationError(`files[${index}] is neither bytes nor valid base64 — pass a Uint8Array, a base64 string or a URL`, [{ path: `files.${index}`, message: 'is not valid base64' }], { cause: error })
  }
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** `files` as `inputImages`: bytes as they are, base64 decoded, URLs as URLs (the SDK passes https through and uploads the rest). */
function inputImagesOf(files: readonly ImageModelV3File[] | undefined): UploadSource[] {
  return (files ?? []).map((file, index) => {
    if (file.type === 'url') {
      try {
        return new URL(file.url)
      } catch (error) {
        throw new ValidationError(`files[${index}].url is not a URL: "${file.url}"`, [{ path: `files.${index}.url`, message: 'is not a URL' }], { cause: error })
      }
    }
    return typeof file.data === 'string' ? decodeBase64(file.data, index) : file.data
  })
}

/** The images of each task of one call: IMA makes at most {@link MAX_IMAGES_PER_TASK} a task (`n` that is not a count goes as it is, for the SDK to refuse). */
function imagesPerTask(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) return [n]
  const counts: number[] = []
  for (let left = n; left > 0; left -= MAX_IMAGES_PER_TASK) counts.push(Math.min(left, MAX_IMAGES_PER_TASK))
  return counts
}

/**
 * Makes a call's images in tasks of at most 4. Each task is created only
 * once the previous create was answered, so a refusal (a budget, the
 * balance, the product list) stops the rest before anything more is sent;
 * every task created is waited for. When some images were made and paid for
 * and a later task failed, those images are returned, with a warning that
 * says what failed — never thrown away with the error. An abort, or a failure
 * before any image, is thrown.
 */
async function generateInTasks(client: ImaClient, params: GenerateParams, signal: AbortSignal | undefined, warnings: SharedV3Warning[]): Promise<GenerateResult[]> {
  const counts = imagesPerTask(params.n ?? 1)
  const outcomes: Array<PromiseSettledResult<GenerateResult>> = []
  const runs: Promise<void>[] = []
  for (const [index, count] of counts.entries()) {
    let answered: () => void = () => {}
    const createAnswered = new Promise<void>((resolve) => (answered = resolve))
    const run = client.generate({ ...params, n: count, onCreated: () => answered() }, { signal }).then(
      (value) => void (outcomes[index] = { status: 'fulfilled', value }),
      (reason: unknown) => void (outcomes[index] = { status: 'rejected', reason }),
    )
    runs.push(run.finally(() => answered()))
    await createAnswered
    // Refused (or failed) before its task existed: nothing more is sent.
    if (outcomes[index]?.status === 'rejected') break
  }
  await Promise.all(runs)
  const made = outcomes.filter((outcome): outcome is PromiseFulfilledResult<GenerateResult> => outcome?.status === 'fulfilled').map((outcome) => outcome.value)
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome?.status === 'rejected')
  if (!failure) return made
  if (made.length === 0) throw failure.reason
  // Aborted after some tasks were made and paid for: the abort is the answer, and a plain abort names the first of them.
  // A create aborted in flight keeps its own ref instead; the client's journal (`ima.client.tasks.recent()`) holds them all.
  if (signal?.aborted) throw failure.reason instanceof ImaAbortError ? attachTaskId(failure.reason, (made[0] as GenerateResult).task.id) : failure.reason
  const madeCount = made.reduce((sum, result) => sum + result.urls.length, 0)
  const returned = `${madeCount} of ${String(params.n)} images were made and are returned (task ${made.map((result) => result.task.id).join(', ')})`
  if (failure.reason instanceof CreateOutcomeUnknownError) {
    // Not "were not made": the service may have made them, and charged for them.
    const cost = failure.reason.totalCredit === undefined ? '' : ` (${failure.reason.totalCredit} credits)`
    const ref = failure.reason.ref === undefined ? '' : `; it is in the client's task journal as ${failure.reason.ref} (ima.client.tasks.recent())`
    warnings.push({ type: 'other', message: `${returned}; the answer to the create of the others was lost, so they may have been made and charged${cost}: do not order them again before checking${ref}` })
    return made
  }
  const reason = failure.reason instanceof Error ? failure.reason.message : String(failure.reason)
  warnings.push({ type: 'other', message: `${returned}; the others were not: ${reason}` })
  return made
}

/**
 * A Vercel AI SDK image model backed by IMA: pass it to `generateImage`.
 * Made by `ima.image(modelId)` (or `createIma(settings).image(modelId)`).
 *
 * @example
 * ```ts
 * import { generateImage } from 'ai'
 * import { ima } from 'ima-open-sdk/ai-sdk'
 * const { image } = await generateImage({ model: ima.image('NB Pro'), prompt: 'a red fox', size: '1024x1024', maxRetries: 0 })
 * ```
 * @public
 */
export class ImaImageModel implements ImageModelV3 {
  /** The `ImageModelV3` interface version. */
  readonly specificationVersion = 'v3' as const
  /** `ima`, the key of `providerOptions` and `providerMetadata`. */
  readonly provider = 'ima'
  /** The model as given to `ima.image()`. */
  readonly modelId: string
  /**
   * Every image of a `generateImage` call goes to one `doGenerate`, which
   * makes them in tasks of at most 4 (IMA's `n`), each billed. Split by the
   * AI SDK instead, the tasks would run unseen by each other: one refused
   * would fail the call while another was still being created and charged.
   */
  readonly maxImagesPerCall: number = Number.MAX_SAFE_INTEGER
  readonly #config: ImaImageModelConfig

  /** @internal */
  constructor(modelId: ImaImageModelId, config: ImaImageModelConfig) {
    if (typeof modelId !== 'string' || modelId.trim() === '') {
      throw new ValidationError('Expected a model id, e.g. ima.image("gemini-3-pro-image") or ima.image("NB Pro")', [{ path: 'modelId', message: 'must be a non-empty string' }])
    }
    this.modelId = modelId
    this.#config = config
  }

  /**
   * Generates `n` images — in one IMA task, or in tasks of at most 4 created
   * one after another — and returns them as bytes, with the URLs, task ids
   * and credits in `providerMetadata.ima`. When a later task is refused or
   * fails, the images already made are returned with a warning. Called by
   * `generateImage`; call it yourself only to skip the AI SDK.
   *
   * @throws the SDK's errors: `ValidationError` (before anything is sent), `ImaConfigError` (no key), API errors, `CreateOutcomeUnknownError`, `TaskFailedError`, `TaskTimeoutError`, an `AbortError`.
   * @example
   * ```ts
   * const result = await ima.image('MJ').doGenerate({ prompt: 'a castle', n: 1, size: undefined, aspectRatio: undefined, seed: undefined, files: undefined, mask: undefined, providerOptions: {} })
   * ```
   */
  async doGenerate(options: ImageModelV3CallOptions): Promise<ImaImageModelResult> {
    const warnings: SharedV3Warning[] = []
    if (options.seed !== undefined) warnings.push({ type: 'unsupported', feature: 'seed', details: 'IMA models take no seed; the seed was not sent and each generation differs' })
    if (options.mask !== undefined) {
      warnings.push({ type: 'unsupported', feature: 'mask', details: 'IMA has no masked inpainting; the mask was not sent — describe the change in the prompt and pass the image in files' })
    }
    const perCallHeaders = Object.entries(options.headers ?? {}).filter(([name, value]) => value !== undefined && name.toLowerCase() !== 'user-agent')
    if (perCallHeaders.length > 0) {
      warnings.push({ type: 'unsupported', feature: 'headers', details: `per-call headers (${perCallHeaders.map(([name]) => name).join(', ')}) are not sent; set them once with createIma({ headers })` })
    }
    const imaOptions = parseProviderOptions(options.providerOptions)
    const prompt = options.prompt
    if (prompt === undefined || prompt.trim() === '') {
      throw new ValidationError('IMA needs a prompt: pass generateImage({ prompt: "…" }) or { prompt: { text, images } }', [{ path: 'prompt', message: 'is required' }])
    }
    const client = this.#config.client()
    const signal = options.abortSignal
    const inputImages = inputImagesOf(options.files)
    const taskType: TaskType = inputImages.length > 0 ? 'image_to_image' : 'text_to_image'
    const model = imaModelReference(this.modelId)
    const common = { model, prompt, n: options.n, inputImages, versionId: imaOptions.versionId, userId: imaOptions.userId, params: imaOptions.params }
    const plan = await this.#planSize(client, options, imaOptions, { ...common, taskType }, warnings)

    const generateParams: GenerateParams = {
      ...common,
      taskType,
      size: plan.size,
      aspectRatio: plan.aspectRatio,
      maxCredits: imaOptions.maxCredits,
      intervalMs: imaOptions.intervalMs,
      timeoutMs: imaOptions.timeoutMs,
      maxPollFailures: imaOptions.maxPollFailures,
      estimatedMaxMs: imaOptions.estimatedMaxMs,
    }
    const results = await generateInTasks(client, generateParams, signal, warnings)
    const task = (results[0] as GenerateResult).task
    for (const result of results) {
      // The service made fewer than the task was charged for: said, never passed off as all of them.
      if (result.urls.length < result.task.n) {
        warnings.push({
          type: 'other',
          message: `task ${result.task.id} made ${result.urls.length} of the ${result.task.n} images it was charged for (${result.task.totalCredit} credits); only those are returned`,
        })
      }
    }
    const wanted = results.flatMap((result) => result.urls.map((url, index) => ({ url, result, media: result.medias[index] })))
    const downloads = new AbortController()
    const stop = () => downloads.abort(signal?.reason)
    signal?.addEventListener('abort', stop, { once: true })
    let read: PromiseSettledResult<Awaited<ReturnType<typeof readResultImage>>>[]
    try {
      read = await Promise.allSettled(wanted.map(({ url }) => readResultImage(url, { fetch: this.#config.fetch, maxBytes: this.#config.maxImageBytes, signal: downloads.signal })))
    } finally {
      signal?.removeEventListener('abort', stop)
    }
    // The caller's abort becomes the SDK's AbortError (a download rejects with the bare reason), naming the task made and charged.
    if (signal?.aborted) throw attachTaskId(abortErrorFor(signal), task.id)
    const failed = wanted.flatMap((image, index) => {
      const outcome = read[index] as PromiseSettledResult<unknown>
      return outcome.status === 'rejected' ? [{ ...image, error: outcome.reason as unknown }] : []
    })
    const firstFailure = failed[0]
    // Nothing could be read: the error, naming the task its picture belongs to, so it is read again instead of re-created.
    if (firstFailure && failed.length === wanted.length) throw attachTaskId(firstFailure.error, firstFailure.result.task.id)
    for (const { result, error } of failed) {
      const reason = error instanceof Error ? error.message : String(error)
      warnings.push({ type: 'other', message: `an image of task ${result.task.id} could not be downloaded and is left out (it is paid for: read the task again for a fresh URL): ${reason}` })
    }
    const kept = wanted.flatMap((image, index) => {
      const outcome = read[index] as PromiseSettledResult<Awaited<ReturnType<typeof readResultImage>>>
      return outcome.status === 'fulfilled' ? [{ ...image, file: outcome.value }] : []
    })
    const images: ImaImageMetadataImage[] = kept.map(({ url, result, media }) => ({
      url,
      coverUrl: media?.coverUrl ?? null,
      width: media?.width ?? null,
      height: media?.height ?? null,
      taskId: result.task.id,
      credit: result.task.credit,
    }))
    const metadata: ImaImageMetadata = {
      images,
      taskId: task.id,
      credit: task.credit,
      totalCredit: results.reduce((sum, result) => sum + result.task.totalCredit, 0),
      attributeId: task.attributeId,
      model: { id: task.model.id, name: task.model.name, version: task.model.version },
    }
    return {
      images: kept.map(({ file }) => file.bytes),
      warnings,
      providerMetadata: { ima: metadata },
      response: { timestamp: new Date(task.createdAt), modelId: task.model.id, headers: kept[0]?.file.headers },
    }
  }

  /**
   * `size: 'WxH'` as the model's nearest offered size (and, for a shape
   * other than square, its nearest aspect ratio), through the model the SDK
   * resolves — read with a quote, which sends nothing but the product list
   * read the create needs anyway. `providerOptions.ima.size` wins and is sent
   * as it is, for `tasks.create` to check.
   */
  async #planSize(
    client: ImaClient,
    options: ImageModelV3CallOptions,
    imaOptions: ImaImageProviderOptions,
    quoteParams: Parameters<ImaClient['tasks']['quote']>[0] & { taskType: TaskType },
    warnings: SharedV3Warning[],
  ): Promise<SizePlan> {
    const asked = options.aspectRatio
    if (imaOptions.size !== undefined) {
      if (options.size !== undefined) warnings.push({ type: 'other', message: `providerOptions.ima.size (${imaOptions.size}) was sent; size ${options.size} was ignored` })
      return { size: imaOptions.size, aspectRatio: asked }
    }
    if (options.size === undefined) return { size: undefined, aspectRatio: asked }
    const box = BOX.exec(options.size)
    const width = Number(box?.[1])
    const height = Number(box?.[2])
    if (!box || !(width > 0) || !(height > 0)) {
      throw new ValidationError(`Expected size to be "{width}x{height}", e.g. "1024x1024", got "${options.size}" — or pass an IMA size in providerOptions.ima.size`, [{ path: 'size', message: 'must look like 1024x1024' }])
    }
    // One task's worth: n: 6 is two tasks (4 + 2), and a quote is of one task.
    const quote = await client.tasks.quote({ ...quoteParams, n: imagesPerTask(quoteParams.n ?? 1)[0] }, { signal: options.abortSignal })
    const info: ModelInfo | undefined = (await client.products.models(quoteParams.taskType, { signal: options.abortSignal })).find((candidate) => candidate.modelId === quote.model.id)
    const longSide = Math.max(width, height)
    let nearest: { size: string; distance: number } | undefined
    for (const offer of info?.sizes ?? []) {
      const side = sizeLongSide(offer.size)
      if (side === undefined) continue
      const distance = Math.abs(side - longSide)
      // A tie goes to the larger size: never less than asked for when it can be helped.
      if (!nearest || distance < nearest.distance || (distance === nearest.distance && side > (sizeLongSide(nearest.size) ?? 0))) nearest = { size: offer.size, distance }
    }
    const mode = info?.aspectRatioMode ?? 'none'
    const shape = reduceAspectRatio(`${width}:${height}`) ?? '1:1'
    let aspectRatio: string | undefined = asked
    if (aspectRatio === undefined && shape !== '1:1' && (mode === 'native' || mode === 'virtual')) aspectRatio = nearestAspectRatio(shape, info?.aspectRatios ?? [])
    const name = info?.name ?? quote.model.name
    if (mode === 'fixed' && shape !== '1:1') {
      warnings.push({ type: 'unsupported', feature: 'size', details: `${name} makes ${(info?.aspectRatios ?? ['1:1']).join('/')} images only; ${options.size} was sent as a square` })
    }
    // A virtual ratio (SeeDream) sets the pixel size itself: the two cannot be sent together.
    const size = mode === 'virtual' && aspectRatio !== undefined ? undefined : nearest?.size
    if (size === undefined && aspectRatio === undefined) {
      warnings.push({ type: 'unsupported', feature: 'size', details: `${name} offers no size to choose; ${options.size} was not sent` })
      return { size, aspectRatio }
    }
    // A virtual ratio sends the model's own pixel size for that shape (2304x1728 for 4:3), not the one asked for.
    if (mode === 'virtual' && size === undefined && aspectRatio !== undefined) {
      warnings.push({ type: 'compatibility', feature: 'size', details: `${name} sets its pixel size from the aspect ratio: ${options.size} was sent as aspect ratio ${aspectRatio}, at the size the model makes for it` })
      return { size, aspectRatio }
    }
    const exact = (size === undefined || nearest?.distance === 0) && (aspectRatio === undefined ? shape === '1:1' : reduceAspectRatio(aspectRatio) === shape)
    if (!exact) {
      const sent = [size === undefined ? undefined : `size ${size}`, aspectRatio === undefined ? undefined : `aspect ratio ${aspectRatio}`].filter(Boolean).join(' and ')
      warnings.push({ type: 'compatibility', feature: 'size', details: `${name} offers named sizes, not pixels: ${options.size} was sent as ${sent}, the nearest it makes` })
    }
    return { size, aspectRatio }
  }
}
