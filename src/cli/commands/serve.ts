/**
 * `ima serve`: the local IMA server of `ima-open-sdk/testing`, for trying the
 * CLI, an app or a skill without a key or credits. Runs until Ctrl-C.
 */
import type { CommandInput } from '../command.js'
import { out, say } from '../io.js'
import type { ServeOptions } from '../options.js'

/** `ima serve`: the local server until Ctrl-C or SIGTERM (exit 0). */
export async function run({ options, io }: CommandInput<ServeOptions>): Promise<void> {
  const { port, taskDuration: taskDurationMs } = options
  // Loaded only here: the server is not needed by any other command.
  const { startImaServer } = await import('../../testing/index.js')
  const server = await startImaServer({
    ...(port !== undefined ? { port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.progression ? { progression: options.progression } : {}),
    ...(taskDurationMs !== undefined ? { taskDurationMs } : {}),
    ...(options.tls ? { tls: true } : {}),
  })
  const caPath = server.ca?.path
  if (options.json) {
    out(io, JSON.stringify({ url: server.url, upload_url: server.uploadURL, api_key: server.apiKey, ...(caPath ? { ca_path: caPath } : {}) }))
  } else {
    // This key is the local server's own test key: it unlocks nothing elsewhere, so it is printed.
    out(io, `Local IMA server: ${server.url}`)
    out(io, `Test key:         ${server.apiKey}`)
    // Made at start-up and removed on exit; curl takes it with --cacert, Python requests with REQUESTS_CA_BUNDLE.
    if (caPath) out(io, `CA certificate:   ${caPath}`)
    out(io, '')
    out(io, 'In another terminal:')
    out(io, `  export IMA_BASE_URL=${server.url} IMA_IM_BASE_URL=${server.uploadURL} IMA_API_KEY=${server.apiKey}`)
    if (caPath) out(io, `  export NODE_EXTRA_CA_CERTS=${caPath}`)
    out(io, '  ima generate "a lighthouse at dusk" --out')
  }
  say(io, 'Ctrl-C to stop.')
  // Ctrl-C (or a service manager's SIGTERM) is how this command is meant to end: exit 0.
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.close()
  say(io, 'Stopped.')
}
