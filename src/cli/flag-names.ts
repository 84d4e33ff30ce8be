/**
 * The flags that stand for the SDK's parameter names, so an SDK message
 * ("leave versionId out", "inputImages[0]: …") reads in the words of the
 * command line the user typed: `ima generate`'s `--image` and `--ratio`, or
 * the reference script's `--input-images` and `--extra-params aspect_ratio`.
 */

/** The flag (or flag and key) of each SDK parameter a message may name. */
export interface FlagNames {
  inputImages: string
  taskType: string
  aspectRatio: string
  size: string
  model: string
  versionId: string
  maxCredits: string
  params: string
  baseURL: string
  uploadBaseURL: string
}

/** `ima generate`, `ima quote` and the other commands. */
export const COMMAND_FLAGS: FlagNames = {
  inputImages: '--image',
  taskType: '--task-type',
  aspectRatio: '--ratio',
  size: '--size',
  model: '--model',
  versionId: '--version-id',
  maxCredits: '--max-credits',
  params: '--extra-params',
  baseURL: '--base-url',
  uploadBaseURL: '--upload-base-url',
}

/** `ima` with the reference script's flags. */
export const REFERENCE_FLAGS: FlagNames = {
  inputImages: '--input-images',
  taskType: '--task-type',
  aspectRatio: '--extra-params aspect_ratio',
  size: '--size',
  model: '--model-id',
  versionId: '--version-id',
  maxCredits: '--max-credits',
  params: '--extra-params',
  baseURL: '--base-url',
  uploadBaseURL: '--upload-base-url',
}

/** The SDK's names a message may hold, and a replacement for each. */
const SDK_NAMES =
  /\binputImages\[(\d+)\]|\binputImages: \[url\]|\b(inputImages|taskType|versionId|aspectRatio|aspect_ratio|maxCredits|uploadBaseURL|baseURL)\b|\beither size or\b|\bAsk for size '([^']+)'|^params cannot set\b/g

/**
 * An SDK message in the command line's words: each SDK parameter name
 * becomes the flag that sets it; an input image by index becomes the flag
 * and the value as typed.
 *
 * @param inputImages - the input images as given, to name the one `inputImages[1]` means.
 * @example
 * ```ts
 * inFlagWords('leave versionId out for the newest', REFERENCE_FLAGS) // 'leave --version-id out for the newest'
 * inFlagWords('inputImages[0]: not a file', COMMAND_FLAGS, ['cat.txt']) // '--image cat.txt: not a file'
 * ```
 */
export function inFlagWords(message: string, flags: FlagNames, inputImages: readonly string[] = []): string {
  return message.replace(SDK_NAMES, (match: string, index: string | undefined, name: string | undefined, size: string | undefined) => {
    if (index !== undefined) return `${flags.inputImages} ${inputImages[Number(index)] ?? `#${Number(index) + 1}`}`
    if (size !== undefined) return `Ask for ${flags.size} ${size}`
    if (match === 'either size or') return `either ${flags.size} or`
    if (match === 'params cannot set') return `${flags.params} cannot set`
    if (match === 'inputImages: [url]') return `${flags.inputImages} <path or URL>`
    switch (name) {
      case 'inputImages':
        return flags.inputImages
      case 'taskType':
        return flags.taskType
      case 'versionId':
        return flags.versionId
      case 'aspectRatio':
      case 'aspect_ratio':
        return flags.aspectRatio
      case 'maxCredits':
        return flags.maxCredits
      case 'uploadBaseURL':
        return flags.uploadBaseURL
      case 'baseURL':
        return flags.baseURL
      default:
        return match
    }
  })
}
