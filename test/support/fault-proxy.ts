/**
 * A real HTTP proxy in front of the local IMA server that misbehaves the way
 * gateways and load balancers do — mostly AFTER the service has processed
 * (and charged) a create. Every request is forwarded; a create
 * (`POST /open/v1/tasks/create`) gets a fault from a plan (seeded, so a run
 * is repeatable in the order creates arrive).
 *
 * - Forwarded, processed and charged by the server, then answered badly:
 *   `503` empty, `503` HTML, bare `429`, bare `500`, `502` HTML, `504` HTML,
 *   a reset after the server answered, a delay past the client's timeout
 *   (then the real answer), a truncated JSON body (short, with a matching
 *   `content-length`), a body cut mid-way (full `content-length`, then reset).
 * - `pass`: the server's answer unchanged.
 * - Not forwarded: `reset-before` (nothing processed, but the client cannot
 *   know that — it is no proof), and the service's own refusals as
 *   envelopes: `envelope-429` / `envelope-503` (`Retry-After: 0`),
 *   `envelope-6010` (the product list changed), `envelope-4008`
 *   (insufficient points). Only these prove nothing was created.
 *
 * It imports nothing from the SDK, so the tests (built-package names) and
 * the benches (sources) can both use it.
 */
import { request as httpRequest, createServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const CREATE_PATH = '/open/v1/tasks/create'

/** Faults after the server processed and charged the create. */
export const AFTER_FAULTS = [
  '503-empty',
  '503-html',
  '429-bare',
  '500-bare',
  '502-html',
  '504-html',
  'reset-after',
  'delay',
  'truncated',
  'truncated-cut',
] as const
/** The service's own refusals, sent without forwarding: proof that nothing was created. */
export const REFUSAL_FAULTS = ['envelope-429', 'envelope-503', 'envelope-6010', 'envelope-4008'] as const
/** Not forwarded, but no proof for the client (its outcome is unknown to it). */
export const UNPROVEN_FAULTS = ['reset-before'] as const

export type AfterFault = (typeof AFTER_FAULTS)[number]
export type RefusalFault = (typeof REFUSAL_FAULTS)[number]
export type CreateFault = 'pass' | AfterFault | RefusalFault | (typeof UNPROVEN_FAULTS)[number]
export const CREATE_FAULTS: readonly CreateFault[] = ['pass', ...AFTER_FAULTS, ...UNPROVEN_FAULTS, ...REFUSAL_FAULTS]

/** Whether the proxy forwards a create with this fault to the server (so it may be recorded and charged). */
export function forwards(fault: CreateFault): boolean {
  return fault === 'pass' || (AFTER_FAULTS as readonly string[]).includes(fault)
}

/** What a client must conclude when this fault was its create's last answer. */
export function expectedOutcome(fault: CreateFault): 'created' | 'unknown' | 'refused' {
  if (fault === 'pass') return 'created'
  if ((REFUSAL_FAULTS as readonly string[]).includes(fault)) return 'refused'
  return 'unknown'
}

/** One create as the proxy handled it. */
export interface ProxiedCreate {
  /** Arrival order, from 0. */
  seq: number
  fault: CreateFault
  /** `parameters[0].parameters.prompt` of the body, to tie the attempt to a call. */
  prompt: string | undefined
  /** Sent on to the server. */
  forwarded: boolean
  /** The server's HTTP status, when forwarded. */
  upstreamStatus?: number
  /** The task id the server answered (it recorded and charged the task), when it did. */
  taskId?: string
  /** `Date.now()` when the create arrived at the proxy. */
  at: number
  /** Set when forwarding itself failed (a proxy problem, not a planned fault). */
  upstreamError?: string
}

/** Chooses the fault of each create, given its arrival number. */
export type CreatePlan = (seq: number) => CreateFault

export interface FaultProxyOptions {
  /** The server to forward to, e.g. `server.url`. */
  target: string
  /** The fault of each create; default: every create passes. */
  plan?: CreatePlan
  /** How long the `delay` fault holds the real answer (longer than the client's timeout). @defaultValue 500 */
  delayMs?: number
}

export interface FaultProxy {
  /** The proxy's base URL (use it as the client's `baseURL`). */
  readonly url: string
  /** Every create, in arrival order. */
  readonly creates: readonly ProxiedCreate[]
  /** Requests of any kind forwarded to the server. */
  readonly forwardedRequests: number
  /** Replaces the plan for the creates still to come. */
  setPlan(plan: CreatePlan): void
  /** Counts: creates seen, forwarded, recorded by the server (with a task id), and per fault. */
  counts(): FaultProxyCounts
  /** Resolves once every held (`delay`) answer has been written or dropped. */
  settled(): Promise<void>
  close(): Promise<void>
}

export interface FaultProxyCounts {
  creates: number
  forwarded: number
  /** Creates the server answered with a task id: recorded and charged. */
  recorded: number
  /** Per fault: creates that got it, and how many of those the server recorded. */
  byFault: Record<CreateFault, { creates: number; recorded: number }>
  upstreamErrors: number
}

/** mulberry32: a small seeded PRNG giving floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The default weights: 30 % pass, every after-processing fault 5 %, refusals and pre-forward resets the rest. */
export const DEFAULT_FAULT_WEIGHTS: Readonly<Record<CreateFault, number>> = {
  pass: 6,
  '503-empty': 1,
  '503-html': 1,
  '429-bare': 1,
  '500-bare': 1,
  '502-html': 1,
  '504-html': 1,
  'reset-after': 1,
  delay: 1,
  truncated: 1,
  'truncated-cut': 1,
  'reset-before': 1,
  'envelope-429': 1.5,
  'envelope-503': 0.5,
  'envelope-6010': 0.5,
  'envelope-4008': 0.5,
}

/** A plan drawing each create's fault from `weights` with a seeded PRNG. */
export function seededPlan(seed: number, weights: Partial<Record<CreateFault, number>> = DEFAULT_FAULT_WEIGHTS): CreatePlan {
  const random = seededRandom(seed)
  const entries = Object.entries(weights).filter(([, weight]) => (weight ?? 0) > 0) as Array<[CreateFault, number]>
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0)
  if (!(total > 0)) throw new RangeError('seededPlan: no fault has a positive weight')
  return () => {
    let pick = random() * total
    for (const [fault, weight] of entries) {
      pick -= weight
      if (pick < 0) return fault
    }
    return entries[entries.length - 1]![0]
  }
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host'])

function forwardHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value
  }
  return out
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
  })
}

function promptOf(body: Buffer): string | undefined {
  try {
    const json = JSON.parse(body.toString('utf8')) as { parameters?: Array<{ parameters?: { prompt?: unknown } }> }
    const prompt = json.parameters?.[0]?.parameters?.prompt
    return typeof prompt === 'string' ? prompt : undefined
  } catch {
    return undefined
  }
}

function taskIdOf(body: Buffer): string | undefined {
  try {
    const json = JSON.parse(body.toString('utf8')) as { code?: unknown; data?: { id?: unknown } }
    return json.code === 0 && typeof json.data?.id === 'string' ? json.data.id : undefined
  } catch {
    return undefined
  }
}

function htmlPage(status: number, title: string): string {
  return `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: OutgoingHttpHeaders = {}): void {
  if (res.destroyed || res.headersSent) return
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  res.writeHead(status, { 'content-length': bytes.length, ...headers })
  res.end(bytes)
}

function envelope(res: ServerResponse, status: number, code: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, JSON.stringify({ code, message, data: null }), { 'content-type': 'application/json; charset=utf-8', ...headers })
}

interface Upstream {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** Starts the proxy on 127.0.0.1, a free port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target)
  const delayMs = options.delayMs ?? 500
  let plan: CreatePlan = options.plan ?? (() => 'pass')
  const creates: ProxiedCreate[] = []
  let forwardedRequests = 0
  const held = new Set<Promise<void>>()
  /** Held answers' timers, and how to release their waiters when the proxy closes first. */
  const timers = new Map<NodeJS.Timeout, () => void>()

  /** Sends one request to the server; resolves with its whole answer. */
  function forwardBuffered(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    forwardedRequests += 1
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          // A fresh connection each time: no race with the server closing an idle keep-alive socket.
          agent: false,
          headers: { ...forwardHeaders(req.headers), host: target.host, 'content-length': body.length, connection: 'close' },
        },
        (answer) => {
          readAll(answer).then((bytes) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: bytes }), reject)
        },
      )
      upstream.on('error', reject)
      upstream.end(body)
    })
  }

  function passThrough(res: ServerResponse, upstream: Upstream): void {
    const headers = forwardHeaders(upstream.headers)
    headers['content-length'] = upstream.body.length
    send(res, upstream.status, upstream.body, headers)
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const seq = creates.length
    const fault = plan(seq)
    const record: ProxiedCreate = { seq, fault, prompt: promptOf(body), forwarded: forwards(fault), at: Date.now() }
    creates.push(record)
    switch (fault) {
      case 'reset-before':
        req.socket.destroy()
        return
      case 'envelope-429':
        return envelope(res, 429, 429, 'rate limited', { 'retry-after': '0' })
      case 'envelope-503':
        return envelope(res, 503, 503, 'service busy, try again', { 'retry-after': '0' })
      case 'envelope-6010':
        return envelope(res, 200, 6010, 'attribute_id does not match the parameters')
      case 'envelope-4008':
        return envelope(res, 200, 4008, 'Insufficient points')
      default:
        break
    }
    let upstream: Upstream
    try {
      upstream = await forwardBuffered(req, body)
    } catch (error) {
      record.upstreamError = error instanceof Error ? error.message : String(error)
      req.socket.destroy()
      return
    }
    record.upstreamStatus = upstream.status
    record.taskId = taskIdOf(upstream.body)
    const html = { 'content-type': 'text/html' }
    switch (fault) {
      case 'pass':
        return passThrough(res, upstream)
      case '503-empty':
        return send(res, 503, '')
      case '503-html':
        return send(res, 503, htmlPage(503, 'Service Temporarily Unavailable'), html)
      case '429-bare':
        return send(res, 429, 'Too Many Requests', { 'content-type': 'text/plain' })
      case '500-bare':
        return send(res, 500, '')
      case '502-html':
        return send(res, 502, htmlPage(502, 'Bad Gateway'), html)
      case '504-html':
        return send(res, 504, htmlPage(504, 'Gateway Time-out'), html)
      case 'reset-after':
        req.socket.destroy()
        return
      case 'truncated': {
        const cut = upstream.body.subarray(0, Math.max(1, Math.floor(upstream.body.length / 2)))
        return send(res, upstream.status, cut, { 'content-type': 'application/json; charset=utf-8' })
      }
      case 'truncated-cut': {
        if (res.destroyed) return
        res.writeHead(upstream.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': upstream.body.length })
        res.write(upstream.body.subarray(0, Math.floor(upstream.body.length / 2)), () => {
          // Let the first half reach the client, then drop the connection.
          setImmediate(() => req.socket.destroy())
        })
        return
      }
      case 'delay': {
        const done = new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer)
            passThrough(res, upstream) // usually to a client that has timed out and gone
            resolve()
          }, delayMs)
          timers.set(timer, resolve)
        })
        held.add(done)
        void done.finally(() => held.delete(done))
        return
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req)
    const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname
    if (req.method === 'POST' && path === CREATE_PATH) return handleCreate(req, res, body)
    let upstream: Upstream
    try {
      upstream = await forwardBuffered(req, body)
    } catch {
      req.socket.destroy()
      return
    }
    passThrough(res, upstream)
  }

  const server: Server = createServer((req, res) => {
    res.on('error', () => {}) // writing to a client that gave up (timeout, reset) is expected here
    handle(req, res).catch(() => res.destroy())
  })
  // Idle client sockets stay open longer than any pause in a run, so no request meets a closing socket.
  server.keepAliveTimeout = 30_000
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo))
  })
  const url = `http://127.0.0.1:${address.port}`
  let closing: Promise<void> | undefined

  return {
    url,
    creates,
    get forwardedRequests() {
      return forwardedRequests
    },
    setPlan(next) {
      plan = next
    },
    counts() {
      const byFault = Object.fromEntries(CREATE_FAULTS.map((fault) => [fault, { creates: 0, recorded: 0 }])) as FaultProxyCounts['byFault']
      for (const create of creates) {
        byFault[create.fault].creates += 1
        if (create.taskId) byFault[create.fault].recorded += 1
      }
      return {
        creates: creates.length,
        forwarded: creates.filter((create) => create.forwarded).length,
        recorded: creates.filter((create) => create.taskId !== undefined).length,
        byFault,
        upstreamErrors: creates.filter((create) => create.upstreamError !== undefined).length,
      }
    },
    async settled() {
      while (held.size > 0) await Promise.all([...held])
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const [timer, release] of timers) {
          clearTimeout(timer)
          release()
        }
        timers.clear()
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
      return closing
    },
  }
}
