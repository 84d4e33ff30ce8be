/**
 * What `ima mcp` says in its results, in English and Chinese: what the agent
 * reads, and often repeats to the person. Errors are the chat toolkit's
 * sentences (`translateError`); these are the lines around them.
 */
import { API_KEY_URL } from '../../http/api-errors.js'
import type { ImaLanguage } from '../../http/transport-options.js'

/** The facts of a finished generation, for its text block. */
export interface DoneFacts {
  count: number
  modelName: string | undefined
  size: string | undefined
  credit: number | undefined
  urls: readonly string[]
  files: readonly string[]
  taskId: string
}

/** The facts of a task still running when the wait ended. */
export interface PendingFacts {
  taskId: string
  modelName: string | undefined
  /** Seconds the model usually takes: `[fastest, slowest]`. */
  estimatedSeconds: readonly [number, number]
  /** Seconds since the task was created. */
  elapsedSeconds: number
}

/** Every line `ima mcp` writes into a result. */
export interface McpWords {
  done(facts: DoneFacts): string
  pending(facts: PendingFacts): string
  progress(modelName: string | undefined, percent: number): string
  outputOutsideFolder(path: string, folder: string): string
  outputExists(path: string, file: string): string
  noKey: string
  unknownTask(taskId: string): string
  outcomeStillUnknown(ref: string): string
  refusedCreate(ref: string): string
  outcomeUnknownHint(ref: string): string
  failedSave(url: string, reason: string): string
  previewLeftOut: string
  noModels: string
  modelsTitle(taskType: string): string
}

const EN: McpWords = {
  done: ({ count, modelName, size, credit, urls, files, taskId }) =>
    [
      `Generated ${count} image${count === 1 ? '' : 's'}${modelName ? ` with ${modelName}` : ''}${size ? ` at ${size}` : ''}${credit === undefined ? '' : ` for ${credit} credits`}.`,
      ...urls.map((url, index) => (urls.length === 1 ? `URL: ${url}` : `URL ${index + 1}: ${url}`)),
      ...files.map((file, index) => (files.length === 1 ? `Saved: ${file}` : `Saved ${index + 1}: ${file}`)),
      `Task id: ${taskId}`,
      'Show the URL to the user: the preview may be visible to you only.',
    ].join('\n'),
  pending: ({ taskId, modelName, estimatedSeconds: [fastest, slowest], elapsedSeconds }) => {
    const left = Math.max(5, Math.round(fastest - elapsedSeconds))
    return [
      `The image is still being made${modelName ? ` by ${modelName}` : ''} (${elapsedSeconds} s so far; it usually takes ${fastest}–${slowest} s).`,
      `Task id: ${taskId}`,
      `Nothing more is charged: call get_image_task with task_id "${taskId}" in about ${left} s to get the image. Do not call generate_image again for this picture.`,
    ].join('\n')
  },
  progress: (modelName, percent) => `${modelName ?? 'The image'}: ${percent}%`,
  outputOutsideFolder: (path, folder) =>
    `output_path "${path}" leaves the output folder ${folder}. Nothing was created or charged. Give a file name or a path inside that folder (the person can change the folder with IMA_OUTPUT_DIR).`,
  outputExists: (path, file) =>
    `output_path "${path}" would overwrite ${file}, which exists. Nothing was created or charged. Give another file name, or leave output_path out for a name of its own.`,
  noKey: `The image tools have no IMA API key. Nothing was created or charged. Add IMA_API_KEY to this server's "env" in the MCP client's configuration (get a key at ${API_KEY_URL}), then restart the server.`,
  unknownTask: (taskId) =>
    `No task "${taskId}" was found, neither in this machine's task journal nor on the service. Check the id (generate_image and get_image_task print it as "Task id").`,
  refusedCreate: (ref) => `The create recorded as "${ref}" was refused by the service: no task was made and nothing was charged. Call generate_image again if the picture is still wanted.`,
  outcomeStillUnknown: (ref) =>
    `The create recorded as "${ref}" may have been charged, but its answer never arrived, so its task id is unknown. Nothing was created again. The person can see it later with \`ima tasks\`; try get_image_task with task_id "${ref}" again in a few minutes.`,
  outcomeUnknownHint: (ref) =>
    `It is recorded in the task journal as "${ref}": call get_image_task with task_id "${ref}" later instead of generating again (the person can also run \`ima tasks\`).`,
  failedSave: (url, reason) => `The image is made and paid for, but saving it failed (${reason}). It is still at ${url}.`,
  previewLeftOut: 'No preview is attached (the service gave no small cover); the URL above shows the image.',
  noModels: 'No model of this task type is available to this server (see IMA_MODELS).',
  modelsTitle: (taskType) => (taskType === 'image_to_image' ? 'Image to image' : 'Text to image'),
}

const ZH: McpWords = {
  done: ({ count, modelName, size, credit, urls, files, taskId }) =>
    [
      `已生成 ${count} 张图片${modelName ? `（${modelName}${size ? `，${size}` : ''}）` : size ? `（${size}）` : ''}${credit === undefined ? '' : `，消耗 ${credit} 积分`}。`,
      ...urls.map((url, index) => (urls.length === 1 ? `链接：${url}` : `链接 ${index + 1}：${url}`)),
      ...files.map((file, index) => (files.length === 1 ? `已保存：${file}` : `已保存 ${index + 1}：${file}`)),
      `任务 ID：${taskId}`,
      '请把链接发给用户：预览图可能只有你能看到。',
    ].join('\n'),
  pending: ({ taskId, modelName, estimatedSeconds: [fastest, slowest], elapsedSeconds }) => {
    const left = Math.max(5, Math.round(fastest - elapsedSeconds))
    return [
      `图片仍在生成中${modelName ? `（${modelName}）` : ''}：已用 ${elapsedSeconds} 秒，通常需要 ${fastest}–${slowest} 秒。`,
      `任务 ID：${taskId}`,
      `不会再次扣费：约 ${left} 秒后用 task_id "${taskId}" 调用 get_image_task 取图。不要为这张图再次调用 generate_image。`,
    ].join('\n')
  },
  progress: (modelName, percent) => `${modelName ?? '图片'}：${percent}%`,
  outputOutsideFolder: (path, folder) =>
    `output_path "${path}" 超出了输出文件夹 ${folder}。没有创建任务，也没有扣费。请给出文件名或该文件夹内的路径（可用 IMA_OUTPUT_DIR 更改文件夹）。`,
  outputExists: (path, file) => `output_path "${path}" 会覆盖已有的文件 ${file}。没有创建任务，也没有扣费。请换一个文件名，或不传 output_path，使用自动命名。`,
  noKey: `图片工具没有 IMA API Key。没有创建任务，也没有扣费。请在 MCP 客户端配置里为此服务器的 "env" 加上 IMA_API_KEY（在 ${API_KEY_URL} 获取），然后重启服务器。`,
  unknownTask: (taskId) => `找不到任务 "${taskId}"：本机任务记录和服务端都没有。请检查 ID（generate_image 和 get_image_task 会以“任务 ID”给出）。`,
  refusedCreate: (ref) => `记录为 "${ref}" 的创建被服务拒绝：没有生成任务，也没有扣费。如果仍需要这张图，请再次调用 generate_image。`,
  outcomeStillUnknown: (ref) =>
    `记录为 "${ref}" 的创建可能已扣费，但一直没有收到回应，所以还不知道任务 ID。没有重新创建。用户稍后可用 \`ima tasks\` 查看；几分钟后可再用 task_id "${ref}" 调用 get_image_task。`,
  outcomeUnknownHint: (ref) => `它已记录在任务记录中，编号 "${ref}"：稍后用 task_id "${ref}" 调用 get_image_task，不要重新生成（用户也可运行 \`ima tasks\`）。`,
  failedSave: (url, reason) => `图片已生成并已扣费，但保存失败（${reason}）。图片仍在 ${url}。`,
  previewLeftOut: '没有附带预览图（服务没有给出小尺寸封面）；上面的链接可查看图片。',
  noModels: '此服务器没有这种任务类型的可用模型（见 IMA_MODELS）。',
  modelsTitle: (taskType) => (taskType === 'image_to_image' ? '图生图' : '文生图'),
}

/**
 * The lines of `ima mcp` in a language.
 *
 * @example
 * ```ts
 * mcpWordsFor('zh').progress('Nano Banana Pro', 40) // 'Nano Banana Pro：40%'
 * ```
 */
export function mcpWordsFor(language: ImaLanguage): McpWords {
  return language === 'zh' ? ZH : EN
}
