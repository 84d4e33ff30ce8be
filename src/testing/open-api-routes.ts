/** The `/open/v1/*` routes: header checks, product list, create and detail. */
import { randomBytes } from 'node:crypto'
import { TASK_CATEGORIES } from './catalog.js'
import type { TaskCategory } from './catalog.js'
import { checkCreateBody } from './create-validation.js'
import type { CreateRules } from './create-validation.js'
import { failure, methodNotAllowed, notFound, success } from './envelope.js'
import type { JsonReply } from './envelope.js'
import { fitWithin, nominalDimensions } from './image-dimensions.js'
import type { IncomingCall } from './incoming-call.js'
import type { ServerTask } from './records.js'
import { applyDueCatalogDrifts, isConfiguredKey, recordWarnings } from './server-state.js'
import type { ServerState } from './server-state.js'
import { taskMedias, taskPhase } from './task-lifecycle.js'
import { LeniencyLog } from './warnings.js'
import type { Leniency } from './warnings.js'

/** The API key of a `Bearer` Authorization header, when it is a configured key. */
export function bearerKey(state: ServerState, authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')
  const key = match?.[1]
  return isConfiguredKey(state, key) ? key : undefined
}

/** Checks the headers every `/open/v1/` request must send; undefined when they are fine (perhaps leniently, noted in `log`). */
function checkHeaders(call: IncomingCall, apiKey: string | undefined, log: LeniencyLog): JsonReply | undefined {
  if (!apiKey) return failure(401, 401, 'Unauthorized: the API key is missing or invalid')
  if (call.req.headers['x-app-source'] !== 'ima_skills') {
    return failure(400, 400, 'x-app-source header must be ima_skills')
  }
  const language = call.req.headers['x_app_language']
  if (language !== undefined && language !== 'en' && language !== 'zh') {
    // Documented as en | zh (the labels' language); nothing says the service refuses another value.
    return log.allow(
      'language-fallback',
      'header x_app_language',
      `x_app_language ${JSON.stringify(language)} is neither en nor zh: labels are in English`,
      `x_app_language header must be en or zh, got ${JSON.stringify(language)} (strict mode; the service would answer with English labels)`,
    )
  }
  return undefined
}

function productList(call: IncomingCall, state: ServerState): JsonReply {
  const { app, platform, category } = call.query
  if (app !== 'ima' || platform !== 'web') return failure(400, 400, 'app must be ima and platform must be web')
  if (!TASK_CATEGORIES.includes(category as TaskCategory)) {
    return failure(400, 400, `category must be one of ${TASK_CATEGORIES.join(', ')}`)
  }
  return success(state.catalogs[category as TaskCategory])
}

/** The answer to a create, the leniencies applied to it and the task it made. */
interface CreateOutcome {
  reply: JsonReply
  leniencies: Leniency[]
  taskId?: string
}

function createRules(state: ServerState): CreateRules {
  const { strict, rejectSizes, rejectSizeStatus } = state.options
  return { strict, rejectSizes, rejectSizeStatus, retiredAttributeIds: state.retiredAttributeIds, ownOrigin: state.url === '' ? undefined : new URL(state.url).origin }
}

function createTask(call: IncomingCall, state: ServerState, apiKey: string): CreateOutcome {
  if (!call.body.json.ok) return { reply: failure(400, 400, 'the request body must be JSON'), leniencies: [] }
  const body = call.body.json.value
  const check = checkCreateBody(body, state.catalogs, createRules(state))
  const { leniencies } = check
  if (!check.ok) return { reply: check.reply, leniencies }
  const { create } = check
  const charge = create.credit * create.n
  const balance = state.balances.get(apiKey) ?? 0
  if (balance < charge) return { reply: failure(200, 4008, 'Insufficient points'), leniencies }
  state.balances.set(apiKey, balance - charge)
  // The picture follows what the service read: sizes in the list's spelling, an ignored ratio left out.
  const nominal = nominalDimensions(create.effectiveParameters)
  const task: ServerTask = {
    id: `task_${randomBytes(12).toString('hex')}`,
    taskType: create.taskType,
    body,
    modelId: create.modelId,
    modelVersion: create.modelVersion,
    attributeId: create.attributeId,
    credit: create.credit,
    n: create.n,
    charged: charge,
    prompt: create.prompt,
    parameters: create.parameters,
    inputImages: create.inputImages,
    width: nominal.width,
    height: nominal.height,
    createdAt: Date.now(),
    polls: 0,
  }
  state.tasks.push(task)
  state.tasksById.set(task.id, task)
  // The list moves after the create that was accepted, so the next create from a cached list meets the change.
  applyDueCatalogDrifts(state)
  return { reply: success({ id: task.id }), leniencies, taskId: task.id }
}

function taskDetail(call: IncomingCall, state: ServerState): JsonReply {
  const body = call.body.json.ok ? call.body.json.value : undefined
  const taskId = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).task_id : undefined
  if (typeof taskId !== 'string' || taskId === '') return failure(400, 400, 'task_id is required')
  const task = state.tasksById.get(taskId)
  if (!task) return failure(404, 404, 'task not found')
  task.polls += 1
  const { progression, taskDurationMs, maxImageSide } = state.options
  const phase = taskPhase(task, progression, taskDurationMs, Date.now())
  const served = fitWithin(task, maxImageSide)
  return success({ id: task.id, medias: taskMedias(task, phase, state.url, served) })
}

/** Answers a `/open/v1/*` request (auth first, then the route). */
export function handleOpenApi(call: IncomingCall, state: ServerState): JsonReply {
  const authorization = call.req.headers.authorization
  const apiKey = bearerKey(state, authorization)
  call.record.authorized = apiKey !== undefined
  const headers = new LeniencyLog(state.options.strict)
  const headerProblem = checkHeaders(call, apiKey, headers)
  if (headerProblem || !apiKey) return headerProblem ?? failure(401, 401, 'Unauthorized')
  if (call.method === 'POST' && call.path === '/open/v1/tasks/create') {
    const outcome = createTask(call, state, apiKey)
    recordWarnings(state, call, [...headers.entries, ...outcome.leniencies], outcome.taskId)
    return outcome.reply
  }
  recordWarnings(state, call, headers.entries)
  if (call.method === 'GET' && call.path === '/open/v1/product/list') return productList(call, state)
  if (call.method === 'POST' && call.path === '/open/v1/tasks/detail') return taskDetail(call, state)
  const allowed = OPEN_API_METHODS[call.path]
  return allowed ? methodNotAllowed(call.method, call.path, [allowed]) : notFound()
}

/** The method of each Open API route (protocol §1–3). */
const OPEN_API_METHODS: Readonly<Record<string, string>> = {
  '/open/v1/product/list': 'GET',
  '/open/v1/tasks/create': 'POST',
  '/open/v1/tasks/detail': 'POST',
}
