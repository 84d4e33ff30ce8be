/**
 * The MCP face of the tools (`tools.ts`): names, titles, descriptions that
 * say what costs credits, zod input and output schemas, and honest
 * annotations, on the official SDK's `McpServer`. The schemas use zod's
 * classic build, whose schemas carry their JSON Schema for `tools/list`.
 */
import { McpServer, type ServerContext } from '@modelcontextprotocol/server'
import { isAbsolute } from 'node:path'
import * as z from 'zod'
import { isServiceURL } from '../../protocol/urls.js'
import { MAX_IMAGES_PER_TASK, MAX_PROMPT_LENGTH } from '../../schemas/inputs.js'
import { TASK_TYPES } from '../../schemas/task-type.js'
import { SDK_VERSION } from '../../version.js'
import { MAX_WAIT_SECONDS, type McpSettings } from './settings.js'
import type { ImaTools, ToolCall } from './tools.js'

const modelField = z
  .string()
  .min(1)
  .describe(
    'The model: an id (gemini-3-pro-image, gemini-3.1-flash-image, doubao-seedream-4.5, midjourney), a name or alias in English or Chinese (Nano Banana Pro, NB2, SeeDream, MJ, 香蕉), or a tier (budget, premium, artistic). Leave out for the default.',
  )
const sizeField = z.string().min(1).describe('A size as IMA names it: 512px, 1K, 2K, 4K (Nano Banana), 2k, 4k (SeeDream), 480p, 720p (Midjourney). Bigger sizes cost more.')
const ratioField = z.string().min(1).describe('An aspect ratio such as 1:1, 16:9, 9:16, 4:3, 3:4.')
const countField = z.int().min(1).max(MAX_IMAGES_PER_TASK).describe(`How many images, 1 to ${MAX_IMAGES_PER_TASK}; each one is charged.`)
const taskTypeField = z.enum(TASK_TYPES).describe('text_to_image, or image_to_image (from input images).')
const outputPathField = z
  .string()
  .min(1)
  .describe('Where to save: a file name or a path inside the output folder (IMA_OUTPUT_DIR); it may not leave that folder. Leave out for a name made from the prompt.')
const waitField = (defaultSeconds: number) =>
  z
    .number()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .describe(`Longest wait in seconds before answering with the pending task id (default ${defaultSeconds}). Keep it under your client's time-out.`)

const imageTaskOutput = z.object({
  status: z.enum(['success', 'pending']).describe('success: the images are ready; pending: call get_image_task with task_id.'),
  task_id: z.string(),
  urls: z.array(z.string()).describe('The images, full size.'),
  files: z.array(z.string()).describe('Where they were saved on this machine.'),
  credit: z.number().nullable().describe('Points the task cost (all images); null when this machine did not create it.'),
  model: z.string().nullable(),
  model_name: z.string().nullable(),
  estimated_seconds: z.tuple([z.number(), z.number()]).optional().describe('How long the model usually takes, while pending.'),
})

const modelsOutput = z.object({
  models: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      task_type: z.enum(TASK_TYPES),
      sizes: z.array(z.object({ size: z.string(), credit: z.number() })),
      aspect_ratios: z.array(z.string()),
      estimated_seconds: z.tuple([z.number(), z.number()]),
    }),
  ),
})

const quoteOutput = z.object({
  model: z.string(),
  model_name: z.string(),
  size: z.string().nullable(),
  credit: z.number().describe('Points per image.'),
  n: z.number(),
  total_credit: z.number(),
  estimated_seconds: z.tuple([z.number(), z.number()]),
  within_budget: z.boolean(),
  remaining_credits: z.number().nullable().describe("Points this server may still spend; null when it has no budget of its own (IMA_MAX_CREDITS)."),
})

/** The call's abort signal and, when it carries a progress token, a sender of progress notifications. */
function toolCall(context: ServerContext): ToolCall {
  const token = context.mcpReq._meta?.progressToken
  return {
    signal: context.mcpReq.signal,
    sendProgress:
      token === undefined
        ? undefined
        : (progress, message) => context.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, total: 100, message } }),
  }
}

/**
 * A server with the four image tools. One per connection (stdio) or per
 * request (stateless HTTP); the tools object — its client, budget and
 * journal — is shared by all of them.
 *
 * @example
 * ```ts
 * const server = createImaMcpServer(tools, settings)
 * await server.connect(new StdioServerTransport())
 * ```
 */
export function createImaMcpServer(tools: ImaTools, settings: McpSettings): McpServer {
  const server = new McpServer({ name: 'ima', title: 'IMA image generation', version: SDK_VERSION })
  const wait = waitField(settings.waitSeconds)

  server.registerTool(
    'generate_image',
    {
      title: 'Generate an image',
      description:
        'Make images from a text prompt, or from input images (image to image), with SeeDream 4.5, Nano Banana2, Nano Banana Pro or Midjourney. COSTS CREDITS for every image: generate only when the user asks for a picture, and use quote_image first when the user cares about the price. Answers with the image URL(s) — show them to the user —, the saved file(s) and the credits. When the picture takes longer than wait_seconds it answers status "pending" with a task_id: then call get_image_task with it, never generate_image again (that would pay twice).',
      // Strict: an argument the tool does not take (`ratio` for aspect_ratio) would be dropped, and the picture paid for without it.
      inputSchema: z.strictObject({
        prompt: z.string().min(1).max(MAX_PROMPT_LENGTH).describe("What to draw, in the user's words, with every detail they gave."),
        model: modelField.optional(),
        size: sizeField.optional(),
        aspect_ratio: ratioField.optional(),
        input_images: z
          .array(
            z
              .string()
              .min(1)
              // A relative path would be read from wherever the server was started, not where the agent thinks.
              .refine((value) => isServiceURL(value) || isAbsolute(value), 'must be an https URL or an absolute path of a file on this machine'),
          )
          .min(1)
          .optional()
          .describe('Images to edit or draw from: https URLs or absolute paths of files on this machine.'),
        n: countField.optional(),
        output_path: outputPathField.optional(),
        wait_seconds: wait.optional(),
      }),
      outputSchema: imageTaskOutput,
      annotations: { title: 'Generate an image', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (input, context) => tools.generateImage(input, toolCall(context)),
  )

  server.registerTool(
    'get_image_task',
    {
      title: 'Get an image task',
      description:
        'Pick up a generation by its task_id (from generate_image\'s "pending" answer, or the journal ref of a create whose answer was lost): waits up to wait_seconds and answers with the images as generate_image does, or "pending" again. Never creates or charges anything.',
      // Strict as the others: a mistyped argument (outputPath for output_path) would be dropped without a word.
      inputSchema: z.strictObject({
        task_id: z.string().min(1).describe('The task id generate_image answered with.'),
        wait_seconds: wait.optional(),
        output_path: outputPathField.optional(),
      }),
      outputSchema: imageTaskOutput,
      annotations: { title: 'Get an image task', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    (input, context) => tools.getImageTask(input, toolCall(context)),
  )

  server.registerTool(
    'list_image_models',
    {
      title: 'List image models',
      description: 'The image models this server may use, from the live product list: sizes with their credits per image, aspect ratios and usual time. Free.',
      inputSchema: z.strictObject({ task_type: taskTypeField.optional() }),
      outputSchema: modelsOutput,
      annotations: { title: 'List image models', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    },
    (input, context) => tools.listImageModels(input, toolCall(context)),
  )

  server.registerTool(
    'quote_image',
    {
      title: 'Quote an image',
      description: 'What generate_image would cost for these options, in credits, and whether the budget allows it. Free: nothing is created.',
      // Strict as generate_image is: a quote must not price what generate_image would refuse.
      inputSchema: z.strictObject({
        model: modelField.optional(),
        size: sizeField.optional(),
        aspect_ratio: ratioField.optional(),
        n: countField.optional(),
        task_type: taskTypeField.optional(),
        input_images: z.array(z.string()).optional().describe('Only counted (image to image); nothing is uploaded.'),
      }),
      outputSchema: quoteOutput,
      annotations: { title: 'Quote an image', readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    },
    (input, context) => tools.quoteImage(input, toolCall(context)),
  )
  return server
}
