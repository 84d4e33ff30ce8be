/**
 * `ima serve`: the local IMA server of `ima-open-sdk/testing`, for trying the
 * CLI, an app or a skill without a key or credits. Runs until Ctrl-C.
 *
 * It prints what a second shell or an app needs (`server.clientOptions` as
 * environment variables: the key, both hosts and the poll interval that
 * suits the server's task timing), and
 * every leniency as it happens: a request the server accepted although a
 * strict reading would refuse it (`server.warnings`), so a skill author sees
 * at once where their requests differ from the canonical ones.
 */
import { isLoopbackHost } from '../../protocol/urls.js'
import type { ImaServer, LocalClientOptions } from '../../testing/index.js'
import type { CommandInput } from '../command.js'
import { CliError, CliUsageError } from '../errors.js'
import { out, say, type CliIO } from '../io.js'
import { wordsFor, type CliWords } from '../messages.js'
import type { ServeOptions } from '../options.js'

/** How often new leniencies are looked for (the server records them in an array). */
const WARNING_CHECK_MS = 100
/** The balance of a key given with `--api-key`: the server's default key's. */
const TEST_BALANCE = 100_000

/** The environment variables a client reads, in the order they are printed. */
function environmentOf(settings: LocalClientOptions, caPath: string | undefined): Record<string, string> {
  return {
    IMA_BASE_URL: settings.baseURL,
    IMA_IM_BASE_URL: settings.uploadBaseURL,
    IMA_API_KEY: settings.apiKey,
    IMA_POLL_INTERVAL_MS: String(settings.pollIntervalMs),
    ...(caPath ? { NODE_EXTRA_CA_CERTS: caPath } : {}),
  }
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE'
}

/** Starts the server, with a busy port or a non-loopback host refused in plain words. */
async function start(options: ServeOptions, words: CliWords): Promise<ImaServer> {
  const host = options.host?.trim()
  if (host && !isLoopbackHost(host)) {
    const { message, hint } = words.serve.hostRefused(host)
    throw new CliUsageError(message, hint)
  }
  // Loaded only here: the server is not needed by any other command.
  const { startImaServer } = await import('../../testing/index.js')
  try {
    return await startImaServer({
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(host ? { host } : {}),
      ...(options.progression ? { progression: options.progression } : {}),
      ...(options.taskDuration !== undefined ? { taskDurationMs: options.taskDuration } : {}),
      ...(options.tls ? { tls: true } : {}),
      ...(options.cors ? { cors: true } : {}),
      ...(options.strict ? { strict: true } : {}),
      ...(options.apiKey?.trim() ? { apiKeys: { [options.apiKey.trim()]: TEST_BALANCE } } : {}),
    })
  } catch (error) {
    if (!isAddressInUse(error)) throw error
    const { message, hint } = words.serve.portInUse(options.port ?? 0)
    throw new CliError(message, { hint })
  }
}

/** Prints the server's leniencies as they are recorded: text lines on stderr, or JSON lines on stdout with `--json`. */
function watchWarnings(server: ImaServer, io: CliIO, words: CliWords, json: boolean): { stop(): number } {
  let shown = 0
  const showNew = () => {
    for (; shown < server.warnings.length; shown += 1) {
      const warning = server.warnings[shown]
      if (!warning) continue
      if (json) {
        const { code, path, field, message, taskId } = warning
        out(io, JSON.stringify({ warning: { code, path, field, message, ...(taskId ? { task_id: taskId } : {}) } }))
      } else {
        say(io, words.serve.warning(warning.message, [warning.code, warning.field, warning.path].join(' · ')))
      }
    }
  }
  const timer = setInterval(showNew, WARNING_CHECK_MS)
  // The listener keeps the process alive; this timer alone must not.
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
      showNew()
      return shown
    },
  }
}

/** `ima serve`: the local server until Ctrl-C, SIGTERM or SIGHUP (exit 0). */
export async function run({ options, io }: CommandInput<ServeOptions>): Promise<void> {
  const words = wordsFor(options.language)
  const server = await start(options, words)
  // Ctrl-C (or a service manager's SIGTERM) is how this command is meant to end: exit 0. Listened for before
  // anything is printed, so a signal sent as soon as the address shows up cannot meet the default handler.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
    // The terminal closed: end the same way, so the CA folder of --tls is removed.
    process.once('SIGHUP', resolve)
  })
  const caPath = server.ca?.path
  // The options `new ImaClient(server.clientOptions)` takes, with a poll interval suited to the server's task timing.
  const settings = server.clientOptions
  const environment = environmentOf(settings, caPath)
  if (options.json) {
    out(
      io,
      JSON.stringify({
        url: server.url,
        upload_url: server.uploadURL,
        api_key: server.apiKey,
        ...(caPath ? { ca_path: caPath } : {}),
        poll_interval_ms: settings.pollIntervalMs,
        env: environment,
      }),
    )
  } else {
    // The CA goes on its own line: only Node reads it.
    const client = Object.entries(environment).filter(([name]) => name !== 'NODE_EXTRA_CA_CERTS')
    // This key is the local server's own test key: it unlocks nothing elsewhere, so it is printed.
    out(io, `${words.serve.server} ${server.url}`)
    out(io, `${words.serve.key} ${server.apiKey}`)
    // Made at start-up and removed on exit; curl takes it with --cacert, Python requests with REQUESTS_CA_BUNDLE.
    if (caPath) out(io, `${words.serve.ca} ${caPath}`)
    out(io, `${words.serve.pollInterval} ${settings.pollIntervalMs} ms`)
    out(io, '')
    out(io, words.serve.anotherTerminal)
    out(io, `  export ${client.map(([name, value]) => `${name}=${value}`).join(' ')}`)
    if (caPath) out(io, `  export NODE_EXTRA_CA_CERTS=${caPath}`)
    out(io, '  ima generate "a lighthouse at dusk" --out')
  }
  const warnings = watchWarnings(server, io, words, options.json === true)
  say(io, words.serve.stop)
  await stopped
  const lenient = warnings.stop()
  await server.close()
  if (lenient > 0 && !options.json) say(io, words.serve.leniency(lenient))
  say(io, words.serve.stopped)
}
