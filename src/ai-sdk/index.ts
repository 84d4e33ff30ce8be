/**
 * `ima-open-sdk/ai-sdk`: IMA as a Vercel AI SDK image provider
 * (`ImageModelV3`, for `generateImage` in `ai` 6 and 7) and an image tool for
 * agents. `ai` is an optional peer dependency; this entry imports only its
 * types, and nothing here is reachable from the main entry.
 *
 * @packageDocumentation
 */
export { createIma, ima, type ImaProvider, type ImaProviderSettings } from './provider.js'
export { ImaImageModel, type ImaImageModelResult, type ImaImageMetadata, type ImaImageMetadataImage } from './image-model.js'
export type { ImaImageModelId } from './model-ids.js'
export type { ImaImageProviderOptions } from './provider-options.js'
export { imaImageTool, type ImaImageTool, type ImaImageToolInput, type ImaImageToolOptions } from './tool.js'
