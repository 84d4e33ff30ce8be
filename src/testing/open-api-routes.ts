/** The `/open/v1/*` routes: header checks, product list, create and detail. */
import { randomBytes } from 'node:crypto'
import { TASK_CATEGORIES } from './catalog.js'
import type { TaskCategory } from './catalog.js'
import { checkCreateBody } from './create-validation.js'
import { failure, notFound, success } from './envelope.js'
import type { JsonReply } from './envelope.js'
import { fitWithin, nominalDimensions } from './image-dimensions.js'
import type { IncomingCall } from './incoming-call.js'
import type { ServerTask } from './records.js'
import { isConfiguredKey } from './server-state.js'
import type { ServerState } from './server-state.js'
import { taskMedias, taskPhase } from './task-lifecycle.js'

/** The API key of a `Bearer` Authorization header, when it is a configured key. */
export function bearerKey(state: ServerState, authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')
  const key = match?.[1]
  return isConfiguredKey(state, key) ? key : undefined
}

/** Checks the headers every `/open/v1/` request must send; undefined when they are fine. */
function checkHeaders(call: IncomingCall, apiKey: string | undefined): JsonReply | undefined {
  if (!apiKey) return failure(401, 401, 'Unauthorized: the API key is missing or invalid')
  if (call.req.headers['x-app-source'] !== 'ima_skills') {
    return failure(400, 400, 'x-app-source header must be ima_skills')
  }
  const language = call.req.headers['x_app_language']
  if (language !== undefined && language !== 'en' && language !== 'zh') {
    return failure(400, 400, 'x_app_language header must be en or zh')
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

function createTask(call: IncomingCall, state: ServerState, apiKey: string): JsonReply {
  if (!call.body.json.ok) return failure(400, 400, 'the request body must be JSON')
  const body = call.body.json.value
  const check = checkCreateBody(body, state.catalogs)
  if (!check.ok) return check.reply
  const { create } = check
  const charge = create.credit * create.n
  const balance = state.balances.get(apiKey) ?? 0
  if (balance < charge) return failure(200, 4008, 'Insufficient points')
  state.balances.set(apiKey, balance - charge)
  const nominal = nominalDimensions(create.parameters)
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
  return success({ id: task.id })
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
  const headerProblem = checkHeaders(call, apiKey)
  if (headerProblem || !apiKey) return headerProblem ?? failure(401, 401, 'Unauthorized')
  if (call.method === 'GET' && call.path === '/open/v1/product/list') return productList(call, state)
  if (call.method === 'POST' && call.path === '/open/v1/tasks/create') return createTask(call, state, apiKey)
  if (call.method === 'POST' && call.path === '/open/v1/tasks/detail') return taskDetail(call, state)
  return notFound()
}
