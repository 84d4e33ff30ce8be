/**
 * `ima serve`: the local IMA server of `ima-open-sdk/testing`, for trying the
 * CLI, an app or a skill without a key or credits. Runs until Ctrl-C.
 */
import { CliUsageError } from '../errors.js'
import { imaCommand, type CliEnv } from '../command.js'
import { integerFlag } from '../common.js'
import { out, say } from '../io.js'

/** `ima serve`: the local server until Ctrl-C or SIGTERM (exit 0). */
export function serveCommand(env: CliEnv) {
  return imaCommand(env, {
    meta: { name: 'serve', description: 'Start the local IMA server (no key, no credits) and print its URL and key' },
    args: {
      port: { type: 'string', description: 'Port (default: a free one)', valueHint: 'port' },
      host: { type: 'string', description: 'Interface (default: 127.0.0.1, never the network)', valueHint: 'host' },
      progression: { type: 'enum', options: ['time', 'polls'], description: 'Tasks finish after --task-duration (time, default) or one phase per poll' },
      'task-duration': { type: 'string', description: 'Milliseconds from create to result (default: 3000)', valueHint: 'ms' },
      json: { type: 'boolean', description: 'Print {"url","upload_url","api_key"} as one JSON line on stdout' },
    },
    async run({ args }) {
      const port = integerFlag(args.port, '--port', 0)
      if (port !== undefined && port > 65_535) throw new CliUsageError(`Expected --port to be at most 65535, got ${port}`)
      const taskDurationMs = integerFlag(args['task-duration'], '--task-duration', 0)
      // Loaded only here: the server is not needed by any other command.
      const { startImaServer } = await import('../../testing/index.js')
      const server = await startImaServer({
        ...(port !== undefined ? { port } : {}),
        ...(args.host ? { host: args.host } : {}),
        ...(args.progression ? { progression: args.progression as 'time' | 'polls' } : {}),
        ...(taskDurationMs !== undefined ? { taskDurationMs } : {}),
      })
      if (args.json) {
        out(env.io, JSON.stringify({ url: server.url, upload_url: server.uploadURL, api_key: server.apiKey }))
      } else {
        // This key is the local server's own test key: it unlocks nothing elsewhere, so it is printed.
        out(env.io, `Local IMA server: ${server.url}`)
        out(env.io, `Test key:         ${server.apiKey}`)
        out(env.io, '')
        out(env.io, 'In another terminal:')
        out(env.io, `  export IMA_BASE_URL=${server.url} IMA_IM_BASE_URL=${server.uploadURL} IMA_API_KEY=${server.apiKey}`)
        out(env.io, '  ima generate "a lighthouse at dusk" --out')
      }
      say(env.io, 'Ctrl-C to stop.')
      // Ctrl-C (or a service manager's SIGTERM) is how this command is meant to end: exit 0.
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await server.close()
      say(env.io, 'Stopped.')
    },
  })
}
