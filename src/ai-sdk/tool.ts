/**
 * An image tool for chat agents built on `generateText` / `streamText`: a
 * plain `{ description, inputSchema, execute }` object (no import of `ai`),
 * whose output is text — URLs, credits, task id — never base64, which would
 * flood the model's context.
 */
import * as z from 'zod/mini'
import type { ImaClient } from '../client.js'
import { CreateOutcomeUnknownError, ImaConfigError, TaskTimeoutError } from '../errors.js'
import { unknownNamesSentence } from '../internal/did-you-mean.js'
import { validateInput } from '../internal/validate.js'
import { isServiceURL } from '../protocol/urls.js'
import { MAX_IMAGES_PER_TASK } from '../schemas/inputs.js'
import { imaModelReference, type ImaImageModelId } from './model-ids.js'

// Strict: an argument the tool does not take (`ratio` for aspectRatio) would be dropped, and the picture paid for without it.
const inputSchema = z.strictObject({
  prompt: z.string().check(z.minLength(1), z.describe('What to draw, in the user’s words, with every detail they gave.')),
  model: z.optional(z.string().check(z.describe('A model: gemini-3-pro-image (Nano Banana Pro), gemini-3.1-flash-image (Nano Banana2), doubao-seedream-4.5, midjourney, or a tier: budget, premium, artistic. Leave out for the default.'))),
  size: z.optional(z.string().check(z.describe('A size as IMA names it: 1K, 2K, 4K, 512px (Nano Banana), 2k, 4k (SeeDream), 480p, 720p (Midjourney).'))),
  aspectRatio: z.optional(z.string().check(z.describe('An aspect ratio such as 1:1, 16:9, 9:16, 4:3, 3:4.'))),
  n: z.optional(z.int().check(z.gte(1), z.lte(MAX_IMAGES_PER_TASK), z.describe(`How many images, 1 to ${MAX_IMAGES_PER_TASK}; each is charged.`))),
  // URLs only: a path the agent's model writes must never make the client read (and upload) a file of this machine.
  inputImages: z.optional(
    z.array(z.string().check(z.refine((value) => isServiceURL(value), 'must be an https URL: the tool reads no local files'))).check(z.describe('https URLs of images to edit or draw from (image to image).')),
  ),
})

/**
 * What the agent's model passes to the tool.
 *
 * @example
 * ```ts
 * const input: ImaImageToolInput = { prompt: 'a red fox in snow', aspectRatio: '16:9' }
 * ```
 * @public
 */
export interface ImaImageToolInput {
  /** What to draw. */
  prompt: string
  /** A model id, alias or tier; the tool's `model`, else the client's default. */
  model?: string
  /** A size as IMA names it (`2K`, `512px`, `720p`). */
  size?: string
  /** An aspect ratio, e.g. `16:9`. */
  aspectRatio?: string
  /** Number of images (1 to 4), each charged. @defaultValue 1 */
  n?: number
  /** https URLs of input images (image_to_image). */
  inputImages?: string[]
}

/**
 * Options of {@link imaImageTool}.
 *
 * @example
 * ```ts
 * const options: ImaImageToolOptions = { client: new ImaClient({ maxCredits: 100 }), model: 'NB2', maxCredits: 20 }
 * ```
 * @public
 */
export interface ImaImageToolOptions {
  /** The client that generates (its budget, scope, journal and events apply). */
  client: ImaClient
  /** The model when the agent names none. @defaultValue the client scope's default */
  model?: ImaImageModelId
  /** Refuse, before sending, a task costing more than this many points. */
  maxCredits?: number
  /** Whose saved model preference applies (see `ima.generate`). */
  userId?: string
  /** The tool's description for the agent's model. @defaultValue a description of the tool and what it costs */
  description?: string
}

/**
 * The tool object: give it to `generateText({ tools: { image: imaImageTool({ client }) } })`.
 *
 * @example
 * ```ts
 * const tool: ImaImageTool = imaImageTool({ client })
 * const text = await tool.execute({ prompt: 'a red fox' })
 * ```
 * @public
 */
export interface ImaImageTool {
  /** What the tool does, for the agent's model. */
  description: string
  /** The input's schema (zod), which the AI SDK turns into JSON Schema. */
  inputSchema: z.ZodMiniType<ImaImageToolInput>
  /** Generates and answers with the URL(s), credits and task id as text. */
  execute(input: ImaImageToolInput, options?: { abortSignal?: AbortSignal }): Promise<string>
}

const DEFAULT_DESCRIPTION =
  'Generate images from a text prompt (or edit images given as https URLs) with IMA: SeeDream 4.5, Nano Banana2, Nano Banana Pro or Midjourney. Answers with the image URLs to show the user, the credits spent and the task id. Each image costs credits: generate only when the user asks for a picture.'

/** Every option of `imaImageTool`, held to the interface by `satisfies`. */
const TOOL_OPTION_NAMES = Object.keys({ client: true, model: true, maxCredits: true, userId: true, description: true } satisfies Record<keyof ImaImageToolOptions, true>)

/**
 * The error the agent's model reads (the AI SDK hands it the message) when a
 * picture was, or may have been, ordered and charged: "do not call again",
 * never "try again" or an SDK method the model cannot call — a model that
 * retries buys a second picture. Same class and fields, for the app's code.
 *
 * @example
 * ```ts
 * throw forTheAgent(error) // a CreateOutcomeUnknownError: "… Do not call this tool again for this picture …"
 * ```
 * @internal
 */
export function forTheAgent(error: unknown): unknown {
  if (error instanceof CreateOutcomeUnknownError) {
    const cost = error.totalCredit === undefined ? '' : ` (${error.totalCredit} credits)`
    return new CreateOutcomeUnknownError(
      `The picture was requested, but the answer was lost: it may have been made and charged${cost}. Do not call this tool again for this picture — tell the user it may already be on its way.${error.ref ? ` (Journal ref ${error.ref}, for the app to look up.)` : ''}`,
      { cause: error, status: error.status, detached: error.detached, ...(error.ref === undefined ? {} : { ref: error.ref }), ...(error.totalCredit === undefined ? {} : { totalCredit: error.totalCredit }) },
    )
  }
  if (error instanceof TaskTimeoutError) {
    return new TaskTimeoutError(
      `The picture was ordered and charged (task ${error.taskId}) but was not finished after ${Math.round(error.elapsedMs / 1000)} s; it may still finish. Do not call this tool again for it — tell the user it is still being made (task ${error.taskId}).`,
      { taskId: error.taskId, elapsedMs: error.elapsedMs },
    )
  }
  return error
}

/** A mistyped option (`maxCredit`) would be dropped, and the tool's own budget with it. */
function refuseUnknownToolOptions(options: ImaImageToolOptions): void {
  if (typeof options !== 'object' || options === null) return
  const refusal = unknownNamesSentence(options, TOOL_OPTION_NAMES, 'imaImageTool option', 'options')
  if (refusal) throw new ImaConfigError(refusal)
}

/**
 * An image-generation tool for AI SDK agents (`generateText`, `streamText`,
 * `ToolLoopAgent`). Its output is the image URL(s), the credits spent and the
 * task id as plain text — never base64, which would break the agent's context.
 * A failure throws the SDK's typed error; the AI SDK hands its message to the
 * model as the tool's error.
 *
 * @example
 * ```ts
 * import { generateText } from 'ai'
 * import { ImaClient } from 'ima-open-sdk'
 * import { imaImageTool } from 'ima-open-sdk/ai-sdk'
 * const { text } = await generateText({ model, tools: { image: imaImageTool({ client: new ImaClient({ maxCredits: 100 }) }) }, prompt: 'Draw me a fox' })
 * ```
 * @public
 */
export function imaImageTool(options: ImaImageToolOptions): ImaImageTool {
  refuseUnknownToolOptions(options)
  const { client } = options
  return {
    description: options.description ?? DEFAULT_DESCRIPTION,
    inputSchema: inputSchema as z.ZodMiniType<ImaImageToolInput>,
    async execute(input, call = {}) {
      // A ValidationError, as every other refusal of the SDK, when the tool is called directly (the AI SDK checks the schema itself first).
      const checked = validateInput(inputSchema, input, 'image tool input')
      const model = checked.model ?? options.model
      let result: Awaited<ReturnType<ImaClient['generate']>>
      try {
        result = await client.generate(
          {
            model: model === undefined ? undefined : imaModelReference(model),
            prompt: checked.prompt,
            size: checked.size,
            aspectRatio: checked.aspectRatio,
            n: checked.n,
            inputImages: checked.inputImages,
            maxCredits: options.maxCredits,
            userId: options.userId,
          },
          { signal: call.abortSignal },
        )
      } catch (error) {
        throw forTheAgent(error)
      }
      const { task } = result
      const count = result.urls.length
      return [
        `Generated ${count} image${count === 1 ? '' : 's'} with ${task.model.name}${task.size ? ` at ${task.size}` : ''}.`,
        ...result.urls.map((url, index) => (count === 1 ? `URL: ${url}` : `URL ${index + 1}: ${url}`)),
        `Credits: ${task.totalCredit} (${task.credit} per image × ${task.n}).`,
        // The service made fewer than it was paid for: said, so the agent neither hides it nor orders the rest blindly.
        ...(count < task.n ? [`Only ${count} of the ${task.n} images asked for came back; the task was charged for ${task.n}.`] : []),
        `Task id: ${task.id}`,
      ].join('\n')
    },
  }
}
