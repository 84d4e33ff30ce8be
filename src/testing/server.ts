/** The listener: routes requests, records them, and turns any exception into a 500 envelope. */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { ServerProductNode, TaskCategory } from './catalog.js'
import { TASK_CATEGORIES } from './catalog.js'
import { failure, notFound } from './envelope.js'
import type { Reply } from './envelope.js'
import { parseBody, queryRecord, recordableHeaders, redactFields, UNREAD_BODY } from './incoming-call.js'
import type { IncomingCall } from './incoming-call.js'
import { bearerKey, handleOpenApi } from './open-api-routes.js'
import type { RecordedRequest, ServerTask, ServerUpload } from './records.js'
import { readRequestBody } from './request-body.js'
import { isResultFilePath, serveResultFile } from './result-files.js'
import { resolveServerOptions } from './server-options.js'
import type { ImaServerOptions, ResolvedServerOptions } from './server-options.js'
import type { FaultRule, ServerFault } from './faults.js'
import { createServerState, resetServerState } from './server-state.js'
import type { ServerState } from './server-state.js'
import type { ServerWarning } from './warnings.js'
import { createLocalTls } from './tls.js'
import type { ImaServerCa } from './tls.js'
import { handleUploadPut, handleUploadToken, isCdnPath, isUploadPutPath, serveUpload, UPLOAD_TOKEN_PATH } from './uploads.js'

/** JSON and form bodies are small; anything bigger is a client bug. */
const MAX_JSON_BODY_BYTES = 1024 * 1024

/**
 * What a client needs to talk to a local server: its key, both hosts, and a
 * poll interval suited to its task timing. Shaped like the client's options
 * (a plain object, no import of the client), so it is passed as it is.
 *
 * @example
 * ```ts
 * import { ImaClient } from 'ima-open-sdk'
 * import { startImaServer } from 'ima-open-sdk/testing'
 * const server = await startImaServer()
 * const ima = new ImaClient(server.clientOptions)
 * ```
 * @public
 */
export interface LocalClientOptions {
  /** The server's first configured API key. */
  readonly apiKey: string
  /** The API base URL (`server.url`). */
  readonly baseURL: string
  /** The upload host base URL (`server.uploadURL`). */
  readonly uploadBaseURL: string
  /**
   * Milliseconds between polls, for every wait: an eighth of `taskDurationMs`
   * (at least 25 ms), so a wait sees pending, processing and success and ends
   * within about 1.1× the task duration; 25 ms with `progression: 'polls'`,
   * where each poll advances the task.
   */
  readonly pollIntervalMs: number
}

/** Polls per task duration: a default wait shows the phases (pending lasts 20 %, so two polls see it) and ends at most an eighth late. */
const POLLS_PER_TASK_DURATION = 8
/** The shortest poll interval handed out: a tiny `taskDurationMs` must not turn a wait into a busy loop. */
const MIN_LOCAL_POLL_INTERVAL_MS = 25

/** The poll interval that suits the server's task timing (see {@link LocalClientOptions.pollIntervalMs}). */
function localPollIntervalMs(options: ResolvedServerOptions): number {
  if (options.progression === 'polls') return MIN_LOCAL_POLL_INTERVAL_MS
  return Math.max(MIN_LOCAL_POLL_INTERVAL_MS, Math.round(options.taskDurationMs / POLLS_PER_TASK_DURATION))
}

/** A running local IMA server. */
export interface ImaServer {
  /** The API base URL, e.g. 'http://127.0.0.1:54321' ('https://…' with `tls: true`). */
  readonly url: string
  /** The upload host base URL (the same listener). */
  readonly uploadURL: string
  /** The first configured API key. */
  readonly apiKey: string
  /**
   * The options of a client of this server: `new ImaClient(server.clientOptions)`.
   * Its waits poll at an interval suited to the server's task timing, so a
   * task is seen in every phase and done within about 1.1× `taskDurationMs`.
   * With `tls: true`, trust `server.ca` too (e.g. `NODE_EXTRA_CA_CERTS`).
   *
   * @example
   * ```ts
   * const ima = new ImaClient({ ...server.clientOptions, logger: consoleLogger() })
   * ```
   */
  readonly clientOptions: LocalClientOptions
  /**
   * With `tls: true`, the certificate to trust (`pem`, and `path` to a file
   * for `NODE_EXTRA_CA_CERTS`, `REQUESTS_CA_BUNDLE` or `curl --cacert`, removed
   * by `close()`); undefined on a plain http server.
   */
  readonly ca: ImaServerCa | undefined
  /** Every request, in arrival order (cleared in place by `reset`). */
  readonly requests: RecordedRequest[]
  /** Every accepted create, in order. */
  readonly tasks: ServerTask[]
  /** Every stored upload, in order. */
  readonly uploads: ServerUpload[]
  /**
   * Every leniency the server applied, in order: where the service accepts a
   * request a strict reading would refuse (an ignored `aspect_ratio`, a size
   * in another case, an unknown `x_app_language`), the server accepts it too
   * and notes it here. Empty when the client sent only canonical requests;
   * with `strict: true` those requests are refused instead. Cleared in place
   * by `reset()`.
   *
   * @example
   * ```ts
   * await client.tasks.create({ model: 'SeeDream', prompt: 'a fox', aspectRatio: '16:9' })
   * expect(server.warnings).toEqual([])
   * ```
   */
  readonly warnings: ServerWarning[]
  /** Current balance of a configured key; throws for an unknown key, to catch typos in tests. */
  balance(apiKey: string): number
  /** Sets the balance of a configured key, e.g. to provoke 4008. */
  setBalance(apiKey: string, points: number): void
  /** A deep copy of the tree served for a category. */
  catalog(category: TaskCategory): ServerProductNode[]
  /**
   * Makes the next matching request(s) misbehave: an HTTP status with
   * `Retry-After`, a reset before or after processing, a delay, a malformed
   * body, or no answer at all.
   *
   * @example
   * ```ts
   * server.injectFault({ path: '/open/v1/tasks/create', kind: 'reset-after' }) // recorded and charged, no answer
   * server.injectFault({ path: '/open/v1/tasks/detail', kind: 'status', status: 503, times: 2 })
   * ```
   */
  injectFault(rule: FaultRule): void
  /** Forgets every injected fault not yet spent. */
  clearFaults(): void
  /** Forgets requests, tasks, uploads, injected faults and warnings; restores the starting balances, product list and start-up `faults`. */
  reset(): void
  /** Closes the listener and every open socket, so a test process can exit. */
  close(): Promise<void>
}

async function route(call: IncomingCall, state: ServerState): Promise<Reply> {
  const { path, method } = call
  if (path === '/open/v1' || path.startsWith('/open/v1/')) return handleOpenApi(call, state)
  if (path === UPLOAD_TOKEN_PATH) return handleUploadToken(call, state)
  if (isUploadPutPath(path)) return handleUploadPut(call, state)
  // HEAD as a CDN answers it (a link checker, `curl -I`): GET's status and headers; Node sends no body for HEAD.
  const reads = method === 'GET' || method === 'HEAD'
  if (reads && isCdnPath(path)) return serveUpload(path, state)
  if (reads && isResultFilePath(path)) return serveResultFile(path, state)
  return notFound()
}

function writeReply(res: ServerResponse, reply: Reply, record: RecordedRequest): void {
  record.status = reply.status
  if (reply.kind === 'json') {
    record.responseBody = reply.body
    const text = JSON.stringify(reply.body)
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...(reply.closeConnection ? { connection: 'close' } : {}),
      ...reply.headers,
    })
    res.end(text)
    return
  }
  record.responseBody = undefined
  res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': reply.bytes.length })
  res.end(reply.bytes)
}

/** Methods and headers a browser may use towards this server, as a CORS preflight answers them. */
const CORS_METHODS = 'GET, HEAD, POST, PUT, OPTIONS'
/** Headers a page may read beyond the safelisted ones: the SDK reads `Retry-After`. */
const CORS_EXPOSED = 'retry-after'

/** With `cors: true`: allows any origin on this answer, and answers a preflight itself (true when it did). */
function answerCors(req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader('access-control-allow-origin', '*')
  res.setHeader('access-control-expose-headers', CORS_EXPOSED)
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false
  res.writeHead(204, {
    'access-control-allow-methods': CORS_METHODS,
    // Echoed: `*` does not cover `authorization`, which every API call sends.
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
    'access-control-max-age': '600',
    'content-length': '0',
  })
  res.end()
  return true
}

async function handle(req: IncomingMessage, res: ServerResponse, state: ServerState): Promise<void> {
  if (state.options.cors && answerCors(req, res)) return
  const url = new URL(req.url ?? '/', 'http://local.invalid')
  const method = req.method ?? 'GET'
  const query = queryRecord(url.searchParams)
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    query: redactFields(query),
    headers: recordableHeaders(req.headers),
    authorized: bearerKey(state, req.headers.authorization) !== undefined,
    body: undefined,
    status: 0,
    responseBody: undefined,
  }
  state.requests.push(record)
  try {
    let body = UNREAD_BODY
    // Upload PUTs stream their own (large) body; everything else is read up front.
    if (!isUploadPutPath(url.pathname)) {
      const read = await readRequestBody(req, MAX_JSON_BODY_BYTES)
      if (!read.ok) {
        writeReply(res, { ...failure(413, 413, 'request body too large'), closeConnection: true }, record)
        return
      }
      body = parseBody(read.bytes, req.headers['content-type'])
      record.body = body.recorded
    }
    const call: IncomingCall = { req, method, path: url.pathname, query, body, record }
    const fault = state.faults.take(method, url.pathname)
    if (fault && (await applyFault(fault, call, res, state))) return
    const reply = await route(call, state)
    if (fault?.kind === 'reset-after') {
      record.status = -1
      res.socket?.destroy()
      return
    }
    writeReply(res, reply, record)
  } catch {
    if (res.headersSent) {
      res.destroy()
      return
    }
    writeReply(res, failure(500, 500, 'internal error'), record)
  }
}

/**
 * Applies an injected fault. Returns true when it answered (or dropped) the
 * request itself; false when normal handling goes on (delay, reset-after).
 */
async function applyFault(fault: ServerFault, call: IncomingCall, res: ServerResponse, state: ServerState): Promise<boolean> {
  switch (fault.kind) {
    case 'reset-before':
      call.record.status = -1
      res.socket?.destroy()
      return true
    case 'status': {
      const reply = failure(fault.status, fault.code ?? fault.status, fault.message ?? `injected ${fault.status}`)
      writeReply(res, fault.retryAfter === undefined ? reply : { ...reply, headers: { 'retry-after': fault.retryAfter } }, call.record)
      return true
    }
    case 'malformed': {
      const bytes = Buffer.from(fault.body)
      call.record.status = fault.status ?? 200
      res.writeHead(call.record.status, { 'content-type': fault.contentType ?? 'application/json', 'content-length': bytes.length })
      res.end(bytes)
      return true
    }
    case 'hang':
      state.hanging.add(res)
      res.on('close', () => state.hanging.delete(res))
      return true
    case 'delay': {
      // Ended early by close(): the request is dropped with the server, not answered late.
      const closed = await new Promise<boolean>((resolve) => {
        const end = () => {
          clearTimeout(timer)
          state.delays.delete(end)
          resolve(true)
        }
        const timer = setTimeout(() => {
          state.delays.delete(end)
          resolve(false)
        }, fault.ms)
        state.delays.add(end)
      })
      if (closed) {
        call.record.status = -1
        res.destroy()
      }
      return closed
    }
    case 'reset-after':
      return false
  }
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve(server.address() as AddressInfo)
    })
  })
}

/** The host part of a URL for a bound address (wildcards map to loopback, IPv6 gets brackets). */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

function requireKey(state: ServerState, apiKey: string): void {
  if (!state.balances.has(apiKey)) throw new Error('ImaServer: that API key is not configured on this server')
}

/**
 * Starts a local IMA server on a real HTTP listener (port 0 by default), a
 * faithful independent implementation of the IMA Open API for tests and
 * demos. See `task-lifecycle.ts` for the prompt markers (`[fail]`,
 * `[fail-status]`, `[delete]`, `[never]`) that simulate failures.
 */
export async function startImaServer(options?: ImaServerOptions): Promise<ImaServer> {
  const resolved = resolveServerOptions(options)
  const state = createServerState(resolved)
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res, state).catch(() => res.destroy())
  }
  // Loaded only with tls, so users of the plain server never load `selfsigned`.
  const tls = resolved.tls ? await createLocalTls([resolved.host]) : undefined
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createServer(listener)
  let address: AddressInfo
  try {
    address = await listen(server, resolved.port, resolved.host)
  } catch (error) {
    await tls?.dispose()
    throw error
  }
  // Every URL handed out (results, CDN, upload targets) is built from these two.
  state.url = `${tls ? 'https' : 'http'}://${urlHost(resolved.host)}:${address.port}`
  state.uploadURL = state.url
  const apiKey = Object.keys(resolved.apiKeys)[0] ?? ''
  let closing: Promise<void> | undefined
  return {
    url: state.url,
    uploadURL: state.uploadURL,
    apiKey,
    clientOptions: Object.freeze({ apiKey, baseURL: state.url, uploadBaseURL: state.uploadURL, pollIntervalMs: localPollIntervalMs(resolved) }),
    ca: tls?.ca,
    requests: state.requests,
    tasks: state.tasks,
    uploads: state.uploads,
    warnings: state.warnings,
    balance(key) {
      requireKey(state, key)
      return state.balances.get(key) ?? 0
    },
    setBalance(key, points) {
      requireKey(state, key)
      if (!Number.isFinite(points)) throw new RangeError('ImaServer.setBalance: points must be a finite number')
      state.balances.set(key, points)
    },
    catalog(category) {
      if (!TASK_CATEGORIES.includes(category)) throw new RangeError(`ImaServer.catalog: unknown category ${String(category)}`)
      return structuredClone(state.catalogs[category])
    },
    injectFault(rule) {
      state.faults.add(rule)
    },
    clearFaults() {
      state.faults.clear()
    },
    reset() {
      resetServerState(state)
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const end of [...state.delays]) end()
        server.close((error) => (error ? reject(error) : resolve()))
        // Keep-alive sockets would otherwise hold the listener (and the process) open.
        server.closeAllConnections()
      }).finally(() => tls?.dispose())
      return closing
    },
  }
}
