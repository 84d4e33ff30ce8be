/**
 * The first, normal reply of the protocol ("Step 0"): short, warm, in the
 * user's language, one emoji. It goes out before any pushed message so the
 * chat shows the steps in order.
 */
import { displayName } from '../catalog/scopes.js'
import type { ChatRequest } from './parse-request.js'
import type { ChatLanguage } from './types.js'

/**
 * The acknowledgement to send as the bot's normal reply, before the
 * reporter's messages: under 15 words, one emoji, naming the model or the
 * shape when the user chose one.
 *
 * @param request - what {@link parseRequest} read (only `model`, `aspectRatio`, `taskType`, `remember` are used).
 * @param language - the reply's language; the request's own by default.
 * @example
 * ```ts
 * const request = parseRequest('画一只猫，横图')
 * await reply(acknowledge(request)) // "收到！马上为你生成一张 16:9 的图 🎨"
 * ```
 * @public
 */
export function acknowledge(
  request: Pick<ChatRequest, 'model' | 'aspectRatio' | 'taskType' | 'remember'> & { language?: ChatLanguage },
  language: ChatLanguage = request.language ?? 'en',
): string {
  const model = request.model ? displayName(request.model) : undefined
  const edit = request.taskType === 'image_to_image'
  if (language === 'zh') {
    if (request.remember === 'save' && model) return `好的！以后都用 ${model} ✨`
    if (edit) return model ? `收到！用 ${model} 帮你改图 ✨` : '收到！马上帮你改这张图 ✨'
    if (model) return `好的！用 ${model} 帮你画 🎨`
    if (request.aspectRatio) return `收到！马上为你生成一张 ${request.aspectRatio} 的图 🎨`
    return '好的！马上帮你画 🎨'
  }
  if (request.remember === 'save' && model) return `Got it! ${model} from now on — starting 🎨`
  if (edit) return model ? `OK! Editing your image with ${model} ✨` : 'OK! Editing your image now ✨'
  if (model) return `OK! Starting image generation with ${model} 🎨`
  if (request.aspectRatio) return `OK! Making a ${request.aspectRatio} image for you 🎨`
  return 'OK! Starting your image now 🎨'
}
