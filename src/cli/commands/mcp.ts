/**
 * `ima mcp`: the image tools for agents over the Model Context Protocol
 * (`../mcp/`). Everything MCP (the official SDK, zod's classic build) is
 * loaded here, when the command runs: `ima --help`, the other commands and
 * the library never load it.
 */
import type { CommandInput } from '../command.js'
import { createClient, readCommon } from '../common.js'
import { CliUsageError } from '../errors.js'
import { say } from '../io.js'
import { DEFAULT_TIMEOUT_MS } from '../../http/transport-options.js'
import { trackDetachedCreates } from '../mcp/detached.js'
import { serveHttp, serveStdio } from '../mcp/serve.js'
import { McpSettingError, readMcpSettings, type McpSettings } from '../mcp/settings.js'
import { listenForStopSignals, type StopSignals } from '../mcp/stop-signals.js'
import { ImaTools } from '../mcp/tools.js'
import type { BudgetStore } from '../../stores/budget-store.js'
import type { McpOptions } from '../options.js'
import { createPreferenceStore } from '../preferences.js'

function describe(settings: McpSettings): string {
  const budget =
    settings.maxCredits === undefined ? 'no budget of its own (IMA_MAX_CREDITS)' : `at most ${settings.maxCredits} credits${settings.redisURL ? ', shared through Redis' : ''}`
  // A list's scope is named `models: a, b` already; a named scope (nano-banana) is not.
  const models = settings.scope.name.startsWith('models: ') ? settings.scope.name : `models: ${settings.scope.name}`
  return `images saved in ${settings.outputDir}, ${budget}, ${models}`
}

/**
 * The budget shared through Redis (`IMA_REDIS_URL`): every `ima mcp` (and
 * every client) on that Redis counts `IMA_MAX_CREDITS` together. ioredis is
 * the user's to install, as for `ima-open-sdk/queue`.
 */
async function sharedBudgetStore(url: string): Promise<BudgetStore> {
  let Redis: typeof import('ioredis').Redis
  try {
    ;({ Redis } = await import('ioredis'))
  } catch {
    throw new CliUsageError('IMA_REDIS_URL is set, but ioredis is not installed: npm install ioredis (next to ima-open-sdk), or unset IMA_REDIS_URL for a budget of this process alone')
  }
  const { RedisBudgetStore } = await import('../../queue/redis-budget-store.js')
  // Without a connection no create may be counted: the store refuses them, and ioredis keeps trying to connect.
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 })
  redis.on('error', () => undefined)
  return new RedisBudgetStore({ redis })
}

/** `ima mcp`: serves until the client leaves (stdio) or the process is signalled (`--http`). */
export async function run({ options, io }: CommandInput<McpOptions>): Promise<void> {
  let settings: McpSettings
  try {
    settings = readMcpSettings(io.env, { language: options.language })
  } catch (error) {
    if (error instanceof McpSettingError) throw new CliUsageError(error.message)
    throw error
  }
  const common = { ...readCommon(options, io), language: settings.language }
  const preferences = createPreferenceStore(options, io)
  const client = common.apiKey
    ? createClient(common, {
        preferences,
        maxCredits: settings.maxCredits,
        models: settings.scope,
        ...(settings.redisURL ? { budgetStore: await sharedBudgetStore(settings.redisURL) } : {}),
      })
    : undefined
  if (!client) say(io, 'ima mcp: IMA_API_KEY is not set: every tool will answer how to set it (nothing can be created)')
  const tools = new ImaTools(client, settings, [common.apiKey])
  const detached = client ? trackDetachedCreates(client) : undefined
  // Counted from here to the end: a signal while the calls answer must not end the process on Node's default.
  const signals = listenForStopSignals()
  try {
    await serve(tools, settings, options, io, signals)
    // A create sent before the client left may have been charged: its answer is read and journaled before the process ends.
    // The calls under way answer first (cancelled by the server's close), so each create in flight is announced as detached by then.
    const exitNow = signals.reached(2)
    await Promise.race([tools.answered(CALLS_ANSWER_BOUND_MS), exitNow])
    if (detached && detached.count > 0 && signals.count < 2) {
      const boundMs = DEFAULT_TIMEOUT_MS + DETACHED_ANSWER_GRACE_MS
      say(io, `ima mcp: waiting up to ${Math.ceil(boundMs / 1000)} s for the answer of ${detached.count} create(s) sent before the client left, so each task id is journaled (get_image_task finds it); stop again to exit now`)
      const unanswered = await detached.settle(boundMs, exitNow)
      say(io, unanswered === 0 ? 'ima mcp: every answer arrived and is journaled' : `ima mcp: ${unanswered} create(s) still unanswered and maybe charged: \`ima tasks --unknown\` lists them`)
    }
  } finally {
    signals.release()
  }
}

/** Serves over `--http` or stdio until the client leaves or the first stop signal. */
async function serve(tools: ImaTools, settings: McpSettings, options: McpOptions, io: CommandInput<McpOptions>['io'], signals: StopSignals): Promise<void> {
  if (options.http !== undefined) {
    await serveHttp(tools, settings, options.http, (url) => say(io, `ima mcp: listening on ${url} — ${describe(settings)}`), signals.reached(1)).catch((error: unknown) => {
      // A busy port is the person's to change, not a failure of image generation.
      if ((error as { code?: unknown } | null)?.code !== 'EADDRINUSE') throw error
      throw new CliUsageError(`Port ${options.http} on 127.0.0.1 is in use`, 'Pick another with --http <port>, or --http 0 for a free one')
    })
  } else {
    await serveStdio(tools, settings, () => say(io, `ima mcp: ready on stdio — ${describe(settings)}`), signals.reached(1))
  }
}

/** How long the tool calls under way get to answer once the server closed (a cancelled call answers at once). */
const CALLS_ANSWER_BOUND_MS = 5_000

/** How long past a request's time limit the answer of a create in flight is waited for at exit. */
const DETACHED_ANSWER_GRACE_MS = 5_000
