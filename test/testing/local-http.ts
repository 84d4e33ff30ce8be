/** Plain-fetch helpers for the local server tests (no SDK code involved on purpose). */
import { expect } from 'vitest'
import type { ImaServer, ServerCreditRule, ServerProductNode, TaskCategory } from '../../src/testing/index.js'

/** The answer of one request, with the body parsed as JSON when it is JSON. */
export interface HttpAnswer {
  status: number
  headers: Headers
  json: { code: number; message: string; data: any }
}

/** Headers every `/open/v1/` request sends. */
export function apiHeaders(apiKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'x-app-source': 'ima_skills', 'content-type': 'application/json', ...extra }
}

/** Sends a request to the server and parses the envelope. */
export async function request(
  server: ImaServer,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: options.headers ?? apiHeaders(server.apiKey),
    ...(body === undefined ? {} : { body }),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: JSON.parse(text) }
}

/** POSTs a create body with the default headers. */
export function create(server: ImaServer, body: unknown): Promise<HttpAnswer> {
  return request(server, 'POST', '/open/v1/tasks/create', { body })
}

/** POSTs a detail request with the default headers. */
export function detail(server: ImaServer, taskId: string): Promise<HttpAnswer> {
  return request(server, 'POST', '/open/v1/tasks/detail', { body: { task_id: taskId } })
}

/**
 * A create body (protocol §2) for a leaf and the rule chosen: the envelope
 * the tests share, around the nested parameters each test shapes itself
 * (`prompt`, `n`, the inputs in both places and `cast` are filled in).
 */
export function createBodyFor(
  category: TaskCategory,
  leaf: ServerProductNode,
  rule: ServerCreditRule,
  nested: Record<string, unknown> & { prompt: string; n?: number },
  inputImages: string[] = [],
): any {
  return {
    task_type: category,
    enable_multi_model: false,
    src_img_url: inputImages,
    parameters: [
      {
        attribute_id: rule.attribute_id,
        model_id: leaf.model_id,
        model_name: leaf.name,
        model_version: leaf.id,
        app: 'ima',
        platform: 'web',
        category,
        credit: rule.points,
        parameters: { ...nested, n: nested.n ?? 1, input_images: inputImages, cast: { points: rule.points, attribute_id: rule.attribute_id } },
      },
    ],
  }
}

/** A valid Nano Banana2 1K text_to_image body, written out by hand. */
export function nanoBanana1kBody(): any {
  return {
    task_type: 'text_to_image',
    enable_multi_model: false,
    src_img_url: [],
    parameters: [
      {
        attribute_id: 4401,
        model_id: 'gemini-3.1-flash-image',
        model_name: 'Nano Banana2',
        model_version: 'gemini-3.1-flash-image-preview',
        app: 'ima',
        platform: 'web',
        category: 'text_to_image',
        credit: 6,
        parameters: {
          size: '1K',
          aspect_ratio: '1:1',
          prompt: 'a red fox in the snow',
          n: 1,
          input_images: [],
          cast: { points: 6, attribute_id: 4401 },
        },
      },
    ],
  }
}

/** Creates a Nano Banana2 1K task with this prompt and returns its id. */
export async function createWithPrompt(server: ImaServer, prompt: string, n = 1): Promise<string> {
  const body = nanoBanana1kBody()
  body.parameters[0].parameters.prompt = prompt
  body.parameters[0].parameters.n = n
  const answer = await create(server, body)
  expect(answer.json.code).toBe(0)
  return answer.json.data.id
}

/** Polls a task `times` times and returns the medias of each answer. */
export async function pollMedias(server: ImaServer, taskId: string, times: number): Promise<any[][]> {
  const seen: any[][] = []
  for (let i = 0; i < times; i++) {
    const answer = await detail(server, taskId)
    expect(answer.json.code).toBe(0)
    expect(answer.json.data.id).toBe(taskId)
    seen.push(answer.json.data.medias)
  }
  return seen
}
