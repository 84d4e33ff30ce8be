/** `createIma(settings)` and the default `ima` provider. */
import { ImaClient } from '../client.js'
import { CLIENT_OPTION_NAMES } from '../client-options.js'
import { unknownNamesSentence } from '../internal/did-you-mean.js'
import { redactSecrets } from '../internal/redact.js'
import { ImaConfigError } from '../errors.js'
import { readEnv } from '../http/transport-options.js'
import { DEFAULT_MAX_IMAGE_BYTES } from './download.js'
import { ImaImageModel } from './image-model.js'
import type { ImaImageModelId } from './model-ids.js'

/**
 * Settings of {@link createIma}. Either `client` — an `ImaClient` you made,
 * so its budget (`maxCredits`), model scope, preferences, journal and events
 * apply to every `generateImage` — or the connection settings, for a client
 * the provider makes on first use. Not both.
 *
 * @example
 * ```ts
 * const ima = createIma({ client: new ImaClient({ maxCredits: 200 }) })
 * const local = createIma({ apiKey: server.apiKey, baseURL: server.url, uploadBaseURL: server.uploadURL })
 * ```
 * @public
 */
export interface ImaProviderSettings {
  /** A client to reuse; its options (key, hosts, budget, scope, journal…) apply. */
  client?: ImaClient
  /** The API key. @defaultValue `process.env.IMA_API_KEY`, read on first use */
  apiKey?: string
  /** The API host. @defaultValue `IMA_BASE_URL`, else `https://api.imastudio.com` */
  baseURL?: string
  /** The upload host (image inputs). @defaultValue `IMA_IM_BASE_URL`, else `https://imapi.liveme.com` */
  uploadBaseURL?: string
  /** The fetch for every request and download. @defaultValue `globalThis.fetch` */
  fetch?: typeof globalThis.fetch
  /** Headers added to every request to the API host (never to uploads or downloads); the SDK's own headers win. */
  headers?: Record<string, string>
  /** Poll every wait at this fixed interval, in ms. @defaultValue the model's schedule */
  pollIntervalMs?: number
  /** The largest result image read into memory, in bytes. @defaultValue 104857600 (100 MiB) */
  maxImageBytes?: number
}

/**
 * An IMA provider for the Vercel AI SDK: `image(modelId)` and
 * `imageModel(modelId)` make the same `ImageModelV3`.
 *
 * @example
 * ```ts
 * const model = ima.image('gemini-3-pro-image')
 * const same = ima.imageModel('gemini-3-pro-image-preview')
 * ```
 * @public
 */
export interface ImaProvider {
  /** An image model for `generateImage`. */
  image(modelId: ImaImageModelId): ImaImageModel
  /** The same as `image`, under the AI SDK's provider method name. */
  imageModel(modelId: ImaImageModelId): ImaImageModel
  /**
   * The `ImaClient` behind this provider (the one passed to `createIma`, or
   * the one it makes on first use — an `ImaConfigError` without a key). Its
   * task journal finds what a failed call paid for:
   * `ima.client.tasks.recent()` lists every create (a lost answer's `ref`
   * included), `ima.client.tasks.wait(error.taskId)` resumes a task.
   */
  readonly client: ImaClient
}

const CONNECTION_SETTINGS = ['apiKey', 'baseURL', 'uploadBaseURL', 'fetch', 'headers', 'pollIntervalMs'] as const

/** Every setting of `createIma`, held to the interface by `satisfies`. */
const SETTING_NAMES = Object.keys({
  client: true,
  apiKey: true,
  baseURL: true,
  uploadBaseURL: true,
  fetch: true,
  headers: true,
  pollIntervalMs: true,
  maxImageBytes: true,
} satisfies Record<keyof ImaProviderSettings, true>)

/**
 * A setting the provider does not take would be dropped: `maxCredits` here
 * would leave every `generateImage` without a budget. A client option is
 * pointed to the client, where it applies.
 */
function refuseUnknownSettings(settings: object): void {
  const refusal = unknownNamesSentence(settings, SETTING_NAMES, 'createIma setting', 'settings')
  if (!refusal) return
  const clientOptions = Object.entries(settings).flatMap(([name, value]) => (value !== undefined && !SETTING_NAMES.includes(name) && CLIENT_OPTION_NAMES.includes(name) ? [name] : []))
  const where =
    clientOptions.length > 0
      ? `; ${clientOptions.join(', ')} ${clientOptions.length === 1 ? 'is an option' : 'are options'} of the client: createIma({ client: new ImaClient({ ${clientOptions.map((name) => `${name}: …`).join(', ')} }) })`
      : ''
  // Names are the caller's own text, but redacted all the same: nothing an error prints may hold a key.
  throw new ImaConfigError(redactSecrets(`${refusal}${where}`, [(settings as ImaProviderSettings).apiKey]))
}

function checkSettings(settings: ImaProviderSettings): void {
  if (typeof settings !== 'object' || settings === null) throw new ImaConfigError('Expected createIma settings to be an object, e.g. createIma({ apiKey })')
  refuseUnknownSettings(settings)
  if (settings.client !== undefined) {
    if (typeof (settings.client as { generate?: unknown }).generate !== 'function') {
      throw new ImaConfigError('Expected client to be an ImaClient: createIma({ client: new ImaClient() })')
    }
    const both = CONNECTION_SETTINGS.filter((name) => settings[name] !== undefined)
    if (both.length > 0) {
      throw new ImaConfigError(`createIma takes either client or connection settings, not both: set ${both.join(', ')} on the ImaClient you pass instead`)
    }
  }
  if (settings.headers !== undefined && (typeof settings.headers !== 'object' || settings.headers === null || Object.values(settings.headers).some((value) => typeof value !== 'string'))) {
    throw new ImaConfigError('Expected headers to be an object of strings, e.g. { "x-request-source": "my-app" }')
  }
  if (settings.fetch !== undefined && typeof settings.fetch !== 'function') throw new ImaConfigError('Expected fetch to be a function such as globalThis.fetch')
  const cap = settings.maxImageBytes
  if (cap !== undefined && (typeof cap !== 'number' || !Number.isFinite(cap) || cap < 1)) {
    throw new ImaConfigError(`Expected maxImageBytes to be a finite number of bytes ≥ 1, got ${String(cap)}`)
  }
}

/** The fetch, adding `headers` to requests bound for the API host only. */
function withApiHeaders(base: typeof globalThis.fetch, headers: Record<string, string>, apiOrigin: () => string | undefined): typeof globalThis.fetch {
  return (input, init) => {
    const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    let origin: string | undefined
    try {
      origin = new URL(target).origin
    } catch {
      origin = undefined
    }
    if (origin === undefined || origin !== apiOrigin()) return base(input, init)
    const merged = new Headers(init?.headers ?? (typeof input === 'object' && !(input instanceof URL) ? input.headers : undefined))
    for (const [name, value] of Object.entries(headers)) if (!merged.has(name)) merged.set(name, value)
    return base(input, { ...init, headers: merged })
  }
}

/**
 * Makes an IMA provider for the Vercel AI SDK. Constructing it reads
 * nothing and sends nothing; the client (and the key) are needed on the first
 * `generateImage` only.
 *
 * @throws ImaConfigError for a setting of the wrong type, or `client` together with connection settings.
 * @example
 * ```ts
 * import { generateImage } from 'ai'
 * import { ImaClient } from 'ima-open-sdk'
 * import { createIma } from 'ima-open-sdk/ai-sdk'
 * const ima = createIma({ client: new ImaClient({ maxCredits: 100 }) })
 * const { image } = await generateImage({ model: ima.image('NB2'), prompt: 'a red fox', aspectRatio: '16:9', maxRetries: 0 })
 * ```
 * @public
 */
export function createIma(settings: ImaProviderSettings = {}): ImaProvider {
  checkSettings(settings)
  const given = settings.client
  let made: ImaClient | undefined
  const client = (): ImaClient => {
    if (given) return given
    if (made) return made
    if (settings.apiKey === undefined && readEnv('IMA_API_KEY') === undefined) {
      throw new ImaConfigError('No API key for the IMA provider: set the IMA_API_KEY environment variable, or pass createIma({ apiKey }) (get a key at https://www.imaclaw.ai/imaclaw/apikey)')
    }
    const base = settings.fetch ?? ((input, init) => globalThis.fetch(input, init))
    let apiOrigin: string | undefined
    const fetch = settings.headers ? withApiHeaders(base, settings.headers, () => apiOrigin) : settings.fetch
    const created = new ImaClient({
      apiKey: settings.apiKey,
      baseURL: settings.baseURL,
      uploadBaseURL: settings.uploadBaseURL,
      fetch,
      pollIntervalMs: settings.pollIntervalMs,
    })
    apiOrigin = new URL(created.baseURL).origin
    made = created
    return created
  }
  const downloadFetch: typeof globalThis.fetch = settings.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const maxImageBytes = settings.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES
  const image = (modelId: ImaImageModelId) => new ImaImageModel(modelId, { client, fetch: downloadFetch, maxImageBytes })
  return {
    image,
    imageModel: image,
    get client() {
      return client()
    },
  }
}

/**
 * The default IMA provider: the key from `IMA_API_KEY`, read on the first
 * `generateImage` (importing it reads nothing and never throws).
 *
 * @example
 * ```ts
 * import { generateImage } from 'ai'
 * import { ima } from 'ima-open-sdk/ai-sdk'
 * const { image } = await generateImage({ model: ima.image('doubao-seedream-4.5'), prompt: 'a lighthouse', maxRetries: 0 })
 * ```
 * @public
 */
export const ima: ImaProvider = createIma()
