/** `ima wait <task-id>`: resume waiting for a task (after Ctrl-C or a time-out). */
import { CONNECTION_ARGS, createClient, readCommon, readTimeoutMs, WAIT_ARGS } from '../common.js'
import { imaCommand, type CliEnv } from '../command.js'
import { CliUsageError } from '../errors.js'
import { runWait, saveResult } from '../generation.js'
import { out, say } from '../io.js'

/** `ima wait <task-id>`: `tasks.wait` with progress, optionally saving the picture. */
export function waitCommand(env: CliEnv) {
  return imaCommand(env, {
    meta: { name: 'wait', description: 'Wait for a task by its id (resume after Ctrl-C or a time-out)' },
    args: {
      'task-id': { type: 'positional', required: false, description: 'The task id printed when the task was created' },
      out: { type: 'string', description: 'Save the image: a file, a folder, or nothing for task-<id>.png here', valueHint: 'file' },
      open: { type: 'boolean', description: 'Open the result when done' },
      json: { type: 'boolean', description: 'Print one JSON object on stdout (task_id, url, cover_url, urls, path)' },
      ...WAIT_ARGS,
      ...CONNECTION_ARGS,
    },
    async run({ args }) {
      const taskId = args['task-id']?.trim()
      if (!taskId) throw new CliUsageError('Which task? ima wait <task-id>')
      const common = readCommon(args, env.io)
      const ima = createClient(common)
      const result = await runWait(ima, env.io, taskId, { intervalMs: common.intervalMs, timeoutMs: readTimeoutMs(args), quiet: args.quiet === true })
      const path = await saveResult(env.io, result, { out: args.out, open: args.open === true, prompt: 'task' })
      if (args.json) {
        out(env.io, JSON.stringify({ task_id: result.taskId, url: result.url, cover_url: result.coverUrl ?? null, urls: result.urls, ...(path ? { path } : {}) }))
        return
      }
      if (path && !args.quiet) say(env.io, `Saved ${path}`)
      out(env.io, path ?? result.url)
    },
  })
}
