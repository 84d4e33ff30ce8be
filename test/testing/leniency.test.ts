/**
 * The local server answers like the service where the documents say the
 * service is lenient (protocol §9), records each leniency in
 * `server.warnings`, and refuses them with 400 under `strict: true`.
 *
 * The table test sends, over real HTTP with plain fetch (no SDK code), one
 * request per model × size × ratio × task type that the catalog and the docs
 * list, shaped the way the skills' documents shape it: the ratio in the
 * nested `aspect_ratio`, sizes in the list's case and in the other case, both
 * passed as `--extra-params` would pass them.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ImaClient } from '../../src/index.js'
import { startImaServer } from '../../src/testing/index.js'
import type { ImaServer, ServerCreditRule, ServerProductNode, ServerWarningCode, TaskCategory } from '../../src/testing/index.js'
import { buildDefaultCatalog } from '../../src/testing/catalog.js'
import { apiHeaders, create, createBodyFor, nanoBanana1kBody, request } from './local-http.js'

const CATEGORIES: TaskCategory[] = ['text_to_image', 'image_to_image']
/** An input image as a user passes it: a public https URL (nothing is fetched from it). */
const HTTPS_INPUT = 'https://cdn.example.com/inputs/cat.png'
const LIST = '/open/v1/product/list?app=ima&platform=web&category='

// ---- What the docs list (docs/models-and-pricing.md) ----

/** Ratios and sizes per model id, read from the docs' table so a row exists for everything they promise. */
function docsTable(): Map<string, { ratios: string[]; sizes: string[] }> {
  const text = readFileSync(new URL('../../docs/models-and-pricing.md', import.meta.url), 'utf8')
  const table = new Map<string, { ratios: string[]; sizes: string[] }>()
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    const id = /^`([^`]+)`$/.exec(cells[2] ?? '')?.[1]
    if (!id || cells.length < 7) continue
    const points = `${cells[3]} ${cells[4]}`
    table.set(id, {
      sizes: [...points.matchAll(/\b(\d+px|\d+[kK]|\d+p)\b/g)].map((m) => m[1] ?? ''),
      ratios: [...(cells[5] ?? '').matchAll(/\b\d+:\d+\b/g)].map((m) => m[0]),
    })
  }
  return table
}

// ---- What the catalog lists (src/testing/catalog.ts) ----

function leaves(tree: readonly ServerProductNode[]): ServerProductNode[] {
  return tree.flatMap((node) => [...(node.type === '3' ? [node] : []), ...(Array.isArray(node.children) ? leaves(node.children) : [])])
}

/** The newest version of each model: the last leaf with its model_id (protocol §1). */
function newestLeaves(tree: readonly ServerProductNode[]): ServerProductNode[] {
  const byModel = new Map<string, ServerProductNode>()
  for (const leaf of leaves(tree)) byModel.set(leaf.model_id, leaf)
  return [...byModel.values()]
}

function sizeField(leaf: ServerProductNode) {
  return leaf.form_config?.find((field) => field.field === 'size')
}

function nativeRatios(leaf: ServerProductNode): string[] | undefined {
  const field = leaf.form_config?.find((f) => f.field === 'aspect_ratio' && !f.is_ui_virtual)
  return field ? (field.options ?? []).map((option) => String(option.value)) : undefined
}

/** Sizes in the list's own spelling: options, plus the pixel sizes of a virtual mapping. */
function listedSizes(leaf: ServerProductNode): string[] {
  const field = sizeField(leaf)
  const sizes = (field?.options ?? []).map((option) => String(option.value))
  for (const rule of field?.value_mapping?.mapping_rules ?? []) sizes.push(String(rule.target_value))
  return sizes
}

/** The same size in the other case: '2k' → '2K', '1K' → '1k', '512px' → '512PX', '2560x1440' → '2560X1440'. */
function otherCase(size: string): string {
  const upper = size.toUpperCase()
  return upper !== size ? upper : size.toLowerCase()
}

// ---- What the service makes (the oracle, written from the documents, not from the server) ----

/** The shape (width / height) of the image the service makes for this size and ratio. */
function madeShape(leaf: ServerProductNode, size: string, ratio: string | undefined): number {
  const pixels = /^(\d+)x(\d+)$/i.exec(size)
  if (pixels) return Number(pixels[1]) / Number(pixels[2])
  // A model with a real aspect_ratio parameter shapes the image by it; the others (SeeDream's 2k/4k, Midjourney) make a square.
  if (nativeRatios(leaf) && ratio) return ratioValue(ratio)
  return 1
}

function ratioValue(ratio: string): number {
  const [w, h] = ratio.split(':').map(Number)
  return (w ?? 1) / (h ?? 1)
}

interface Row {
  title: string
  taskType: TaskCategory
  leaf: ServerProductNode
  /** The value of `--extra-params`, as a user types it. */
  extraParams: string
  /** The warnings the service's leniency gives, in the order the server checks. */
  expectedWarnings: ServerWarningCode[]
  /** width / height of the image the service makes. */
  shape: number
}

function buildRows(): Row[] {
  const docs = docsTable()
  const allDocRatios = [...new Set([...docs.values()].flatMap((entry) => entry.ratios))]
  const rows: Row[] = []
  for (const taskType of CATEGORIES) {
    for (const leaf of newestLeaves(buildDefaultCatalog(taskType))) {
      const documented = docs.get(leaf.model_id)
      if (!documented) throw new Error(`docs/models-and-pricing.md does not list ${leaf.model_id}`)
      const canonical = listedSizes(leaf)
      const byNormal = new Map(canonical.map((size) => [size.toUpperCase(), size]))
      for (const size of documented.sizes) {
        if (!byNormal.has(size.toUpperCase())) throw new Error(`the docs list size ${size} for ${leaf.model_id}, the catalog does not`)
      }
      // Native models take their own ratios; the others are sent every ratio a user may ask for, which the service ignores.
      const ratios = nativeRatios(leaf) ?? allDocRatios
      const sizes: (string | undefined)[] = [undefined, ...canonical, ...canonical.map(otherCase).filter((size) => !canonical.includes(size))]
      const defaultSize = String(sizeField(leaf)?.value ?? '')
      for (const size of sizes) {
        for (const ratio of [undefined, ...ratios]) {
          const extra: Record<string, string> = {}
          if (size !== undefined) extra.size = size
          if (ratio !== undefined) extra.aspect_ratio = ratio
          const sent = size ?? defaultSize
          const expectedWarnings: ServerWarningCode[] = []
          if (byNormal.get(sent.toUpperCase()) !== sent) expectedWarnings.push('value-normalised')
          const shape = madeShape(leaf, sent, ratio)
          if (ratio !== undefined && Math.abs(ratioValue(ratio) / shape - 1) > 0.01) expectedWarnings.push('aspect-ratio-ignored')
          const extraParams = JSON.stringify(extra)
          const outcome = expectedWarnings.length > 0 ? `warns ${expectedWarnings.join(' + ')}` : 'canonical'
          rows.push({ title: `${taskType} ${leaf.model_id} --extra-params '${extraParams}' → ${outcome}`, taskType, leaf, extraParams, expectedWarnings, shape })
        }
      }
    }
  }
  return rows
}

// ---- The request, built as the skills' reference client builds it (protocol §2) ----

function upper(value: unknown): string {
  return String(value).trim().toUpperCase()
}

/** The rule whose attributes all equal the candidates, compared case-insensitively (protocol §1); else the first. */
function chooseRule(rules: readonly ServerCreditRule[], candidates: Record<string, unknown>): ServerCreditRule {
  const matches = (rule: ServerCreditRule) =>
    Object.entries(rule.attributes).every(([key, value]) => key === 'default' || (candidates[key] !== undefined && upper(candidates[key]) === upper(value)))
  const rule = rules.find(matches) ?? rules[0]
  if (!rule) throw new Error('a leaf without credit rules')
  return rule
}

function createBody(taskType: TaskCategory, leaf: ServerProductNode, extraParams: string): Record<string, unknown> {
  const extra = JSON.parse(extraParams) as Record<string, unknown>
  const defaults: Record<string, unknown> = {}
  for (const field of leaf.form_config ?? []) if (field.value !== undefined && field.value !== null) defaults[field.field] = field.value
  const rule = chooseRule(leaf.credit_rules ?? [], { ...defaults, ...extra })
  const ruleAttributes = Object.fromEntries(Object.entries(rule.attributes).filter(([key]) => key !== 'default'))
  const images = taskType === 'image_to_image' ? [HTTPS_INPUT] : []
  return createBodyFor(
    taskType,
    leaf,
    rule,
    // The user's --extra-params last, as the skills' script merges them.
    { ...ruleAttributes, ...defaults, ...extra, prompt: 'a lighthouse on a cliff at dusk', n: 1 },
    images,
  )
}

const ROWS = buildRows()

describe('every model × size × ratio × task type, as the skills send it', () => {
  let lenient: ImaServer
  let strict: ImaServer
  beforeAll(async () => {
    lenient = await startImaServer({ progression: 'polls', taskDurationMs: 0 })
    strict = await startImaServer({ progression: 'polls', taskDurationMs: 0, strict: true })
    // The rows come from catalog.ts: check it is what the server serves.
    for (const taskType of CATEGORIES) {
      const list = await request(lenient, 'GET', `${LIST}${taskType}`)
      expect(list.json.data).toEqual(buildDefaultCatalog(taskType))
    }
  })
  beforeEach(() => {
    lenient.reset()
    strict.reset()
  })
  afterAll(async () => {
    await lenient.close()
    await strict.close()
  })

  it('covers every model in both task types, with and without leniency', () => {
    expect(new Set(ROWS.map((row) => `${row.taskType} ${row.leaf.model_id}`)).size).toBe(8)
    expect(ROWS.some((row) => row.expectedWarnings.length === 0)).toBe(true)
    expect(ROWS.some((row) => row.expectedWarnings.includes('aspect-ratio-ignored'))).toBe(true)
    expect(ROWS.some((row) => row.expectedWarnings.includes('value-normalised'))).toBe(true)
  })

  it.each(ROWS.map((row) => [row.title, row] as const))('%s', async (_title, row) => {
    const body = createBody(row.taskType, row.leaf, row.extraParams)
    const answer = await create(lenient, body)
    expect(answer.json, JSON.stringify(answer.json)).toMatchObject({ code: 0, data: { id: expect.stringMatching(/^task_/) } })
    expect(lenient.warnings.map((warning) => warning.code)).toEqual(row.expectedWarnings)
    for (const warning of lenient.warnings) expect(warning).toMatchObject({ path: '/open/v1/tasks/create', requestIndex: 0, taskId: answer.json.data.id })
    const task = lenient.tasks[0]
    expect(task?.width && task.height ? task.width / task.height : 0).toBeCloseTo(row.shape, 2)

    const strictAnswer = await create(strict, body)
    if (row.expectedWarnings.length === 0) {
      expect(strictAnswer.json.code, strictAnswer.json.message).toBe(0)
    } else {
      expect(strictAnswer.status).toBe(400)
      expect(strictAnswer.json.code).toBe(400)
      expect(strictAnswer.json.message).toMatch(/^invalid (size|aspect_ratio) .*strict mode/)
      expect(strict.tasks).toHaveLength(0)
    }
    expect(strict.warnings).toEqual([])
  })
})

describe('leniency, case by case', () => {
  let server: ImaServer
  let strict: ImaServer
  beforeAll(async () => {
    server = await startImaServer({ progression: 'polls' })
    strict = await startImaServer({ progression: 'polls', strict: true })
  })
  beforeEach(() => {
    server.reset()
    strict.reset()
  })
  afterAll(async () => {
    await server.close()
    await strict.close()
  })

  function seedreamBody(size: string, extra: Record<string, unknown> = {}): any {
    const leaf = newestLeaves(buildDefaultCatalog('text_to_image')).find((l) => l.model_id === 'doubao-seedream-4.5')!
    const body: any = createBody('text_to_image', leaf, JSON.stringify({ size, ...extra }))
    return body
  }

  it('SeeDream 4.5 with the documented --extra-params aspect_ratio and the default size makes the square image, and says how to get 16:9', async () => {
    const answer = await create(server, seedreamBody('2k', { aspect_ratio: '16:9' }))
    expect(answer.json.code).toBe(0)
    expect(server.tasks[0]).toMatchObject({ width: 2048, height: 2048 })
    expect(server.warnings).toEqual([
      {
        code: 'aspect-ratio-ignored',
        path: '/open/v1/tasks/create',
        field: 'parameters[0].parameters.aspect_ratio',
        message: 'SeeDream 4.5 takes no aspect_ratio parameter: "16:9" ignored, the image is 2048x2048; for 16:9 send size "2560x1440"',
        requestIndex: 0,
        taskId: answer.json.data.id,
      },
    ])
  })

  it('SeeDream 4.5 with the mapped pixel size and the same aspect_ratio gives 16:9 and no warning', async () => {
    expect((await create(server, seedreamBody('2560x1440', { aspect_ratio: '16:9' }))).json.code).toBe(0)
    expect(server.tasks[0]).toMatchObject({ width: 2560, height: 1440 })
    expect(server.warnings).toEqual([])
  })

  it('SeeDream 4.5 size "4K" is read as "4k"; the service compares sizes case-insensitively', async () => {
    expect((await create(server, seedreamBody('4K'))).json.code).toBe(0)
    expect(server.tasks[0]).toMatchObject({ width: 4096, height: 4096 })
    expect(server.warnings).toMatchObject([{ code: 'value-normalised', field: 'parameters[0].parameters.size', message: 'size "4K" read as "4k" (sizes compare case-insensitively)' }])
    const refused = await create(strict, seedreamBody('4K'))
    expect(refused).toMatchObject({ status: 400, json: { code: 400, message: expect.stringContaining('invalid size "4K" for SeeDream 4.5: the product list spells it "4k"') } })
  })

  it('a rule value in another case matches its rule (Nano Banana2 "1k" → 4401), one warning for the field', async () => {
    const body = nanoBanana1kBody()
    body.parameters[0].parameters.size = ' 1k '
    expect((await create(server, body)).json.code).toBe(0)
    expect(server.tasks[0]).toMatchObject({ attributeId: 4401, width: 1024, height: 1024 })
    expect(server.warnings.map((w) => [w.code, w.field])).toEqual([['value-normalised', 'parameters[0].parameters.size']])
  })

  it('Midjourney with a 16:9 aspect_ratio makes its 1:1 image', async () => {
    const leaf = newestLeaves(buildDefaultCatalog('text_to_image')).find((l) => l.model_id === 'midjourney')!
    expect((await create(server, createBody('text_to_image', leaf, '{"aspect_ratio":"16:9"}'))).json.code).toBe(0)
    expect(server.tasks[0]?.width).toBe(server.tasks[0]?.height)
    expect(server.warnings).toMatchObject([{ code: 'aspect-ratio-ignored', message: expect.stringMatching(/^Midjourney takes no aspect_ratio parameter: "16:9" ignored/) }])
  })

  it('a ratio a native model does not offer stays a 400 in both modes (Nano Banana 21:9)', async () => {
    const body = nanoBanana1kBody()
    body.parameters[0].parameters.aspect_ratio = '21:9'
    for (const on of [server, strict]) {
      const answer = await create(on, body)
      expect(answer).toMatchObject({ status: 400, json: { code: 400, message: expect.stringContaining('invalid aspect_ratio "21:9" for Nano Banana2: it takes 1:1, 16:9, 9:16, 4:3, 3:4') } })
    }
    expect(server.warnings).toEqual([])
  })

  it('n has no invented upper limit: 5 and 50 images are made and charged, with no warning', async () => {
    for (const n of [5, 50]) {
      const body = nanoBanana1kBody()
      body.parameters[0].parameters.n = n
      expect((await create(strict, body)).json.code).toBe(0)
    }
    expect(strict.tasks.map((task) => [task.n, task.charged])).toEqual([[5, 30], [50, 300]])
    expect(strict.balance(strict.apiKey)).toBe(100_000 - 330)
  })

  it('n is guarded by the balance (4008) and by a documented local guard of 1000', async () => {
    const body = nanoBanana1kBody()
    body.parameters[0].parameters.n = 1000
    server.setBalance(server.apiKey, 5999)
    expect((await create(server, body)).json.code).toBe(4008)
    server.setBalance(server.apiKey, 6000)
    expect((await create(server, body)).json.code).toBe(0)
    body.parameters[0].parameters.n = 1001
    const guarded = await create(server, body)
    expect(guarded).toMatchObject({ status: 400, json: { message: expect.stringContaining('n must be at most 1000 on the local server') } })
  })

  it('a long prompt is accepted: no limit is documented', async () => {
    const body = nanoBanana1kBody()
    body.parameters[0].parameters.prompt = 'a fox '.repeat(50_000)
    expect((await create(strict, body)).json.code).toBe(0)
    expect(strict.tasks[0]?.prompt).toHaveLength(300_000)
  })

  it('an input image over plain http on loopback is accepted with a warning, and refused in strict mode', async () => {
    const leaf = newestLeaves(buildDefaultCatalog('image_to_image')).find((l) => l.model_id === 'gemini-3.1-flash-image')!
    const plainInput = 'http://127.0.0.1:9/inputs/cat.png'
    const body: any = createBody('image_to_image', leaf, '{"size":"1K"}')
    body.src_img_url = [HTTPS_INPUT, plainInput]
    body.parameters[0].parameters.input_images = [HTTPS_INPUT, plainInput]
    const accepted = await create(server, body)
    expect(accepted.json.code, accepted.json.message).toBe(0)
    expect(server.warnings).toEqual([
      {
        code: 'http-input-image',
        path: '/open/v1/tasks/create',
        field: 'parameters[0].parameters.input_images',
        message: `input image ${plainInput} is plain http: accepted on loopback here, but the service takes public https URLs only`,
        requestIndex: 0,
        taskId: accepted.json.data.id,
      },
    ])
    const refused = await create(strict, body)
    expect(refused).toMatchObject({ status: 400, json: { code: 400, message: expect.stringContaining(`invalid input image ${plainInput}: the service takes public https URLs only`) } })
  })

  it('app, platform and category other than the protocol\'s, or missing, and a second parameters entry: accepted with a warning, 400 when strict', async () => {
    const cases: Array<{ change: (body: ReturnType<typeof nanoBanana1kBody>) => void; field: string; message: string; strictMessage: string }> = [
      { change: (body) => (body.parameters[0].app = 'foo'), field: 'parameters[0].app', message: 'parameters[0].app is "foo" where the protocol sends "ima": accepted here', strictMessage: 'invalid parameters[0].app ("foo"): the protocol sends "ima"' },
      { change: (body) => delete (body.parameters[0] as { platform?: string }).platform, field: 'parameters[0].platform', message: 'parameters[0].platform is missing where the protocol sends "web": accepted here', strictMessage: 'invalid parameters[0].platform (missing)' },
      { change: (body) => (body.parameters[0].category = 'image_to_image'), field: 'parameters[0].category', message: 'parameters[0].category is "image_to_image" where the protocol sends "text_to_image": accepted here', strictMessage: 'invalid parameters[0].category ("image_to_image")' },
      { change: (body) => body.parameters.push(structuredClone(body.parameters[0])), field: 'parameters', message: 'parameters has 2 entries: only the first is read and charged', strictMessage: 'invalid parameters: 2 entries where the protocol sends one' },
    ]
    for (const { change, field, message, strictMessage } of cases) {
      server.reset()
      const body = nanoBanana1kBody()
      change(body)
      const accepted = await create(server, body)
      expect(accepted.json.code, accepted.json.message).toBe(0)
      expect(server.warnings).toEqual([{ code: 'create-field', path: '/open/v1/tasks/create', field, message, requestIndex: 0, taskId: accepted.json.data.id }])
      const refused = await create(strict, body)
      expect(refused).toMatchObject({ status: 400, json: { code: 400, message: expect.stringContaining(strictMessage) } })
    }
    // What the SDK sends is what the protocol fixes: no warning.
    server.reset()
    expect((await create(server, nanoBanana1kBody())).json.code).toBe(0)
    expect(server.warnings).toEqual([])
  })

  it('x_app_language other than en or zh is answered with English labels and a warning per request', async () => {
    const headers = apiHeaders(server.apiKey, { x_app_language: 'ja' })
    const list = await request(server, 'GET', `${LIST}text_to_image`, { headers })
    expect(list.status).toBe(200)
    expect(list.json.data).toEqual(server.catalog('text_to_image'))
    const created = await request(server, 'POST', '/open/v1/tasks/create', { body: nanoBanana1kBody(), headers })
    expect(created.json.code).toBe(0)
    const detail = await request(server, 'POST', '/open/v1/tasks/detail', { body: { task_id: created.json.data.id }, headers })
    expect(detail.json.code).toBe(0)
    expect(server.warnings).toEqual([
      { code: 'language-fallback', path: '/open/v1/product/list', field: 'header x_app_language', message: 'x_app_language "ja" is neither en nor zh: labels are in English', requestIndex: 0 },
      { code: 'language-fallback', path: '/open/v1/tasks/create', field: 'header x_app_language', message: 'x_app_language "ja" is neither en nor zh: labels are in English', requestIndex: 1, taskId: created.json.data.id },
      { code: 'language-fallback', path: '/open/v1/tasks/detail', field: 'header x_app_language', message: 'x_app_language "ja" is neither en nor zh: labels are in English', requestIndex: 2 },
    ])
    const refused = await request(strict, 'GET', `${LIST}text_to_image`, { headers: apiHeaders(strict.apiKey, { x_app_language: 'ja' }) })
    expect(refused).toMatchObject({ status: 400, json: { code: 400, message: expect.stringContaining('x_app_language header must be en or zh') } })
  })

  it('en, zh or no x_app_language give no warning', async () => {
    for (const language of ['en', 'zh', undefined]) {
      const headers = apiHeaders(server.apiKey, language === undefined ? {} : { x_app_language: language })
      expect((await request(server, 'GET', `${LIST}image_to_image`, { headers })).status).toBe(200)
    }
    expect(server.warnings).toEqual([])
  })

  it("this SDK's client sends canonical bodies, whatever case its caller uses", async () => {
    const ima = new ImaClient({ apiKey: strict.apiKey, baseURL: strict.url, uploadBaseURL: strict.uploadURL })
    await ima.tasks.create({ model: 'SeeDream', prompt: 'a fox', aspectRatio: '16:9' })
    await ima.tasks.create({ model: 'SeeDream', prompt: 'a fox', size: '4K' })
    await ima.tasks.create({ model: 'NB2', prompt: 'a fox', size: '1k', aspectRatio: '9:16' })
    await ima.tasks.create({ model: 'MJ', prompt: 'a fox', size: '720P' })
    expect(strict.tasks.map((task) => task.parameters.size)).toEqual(['2560x1440', '4k', '1K', '720p'])
    expect(strict.warnings).toEqual([])
  })

  it('reset() empties server.warnings in place', async () => {
    const warnings = server.warnings
    await create(server, seedreamBody('4K'))
    expect(warnings).toHaveLength(1)
    server.reset()
    expect(server.warnings).toBe(warnings)
    expect(warnings).toEqual([])
  })

  it('a refused create keeps the leniencies applied before the refusal', async () => {
    server.setBalance(server.apiKey, 0)
    expect((await create(server, seedreamBody('4K'))).json.code).toBe(4008)
    expect(server.warnings).toMatchObject([{ code: 'value-normalised', requestIndex: 0 }])
    expect(server.warnings[0]).not.toHaveProperty('taskId')
  })
})

describe('image_to_image with an uploaded file, token by GET and by form POST', () => {
  let server: ImaServer
  beforeAll(async () => {
    server = await startImaServer({ progression: 'polls', strict: true })
  })
  afterAll(() => server.close())

  function tokenFields(): Record<string, string> {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const nonce = randomBytes(11).toString('hex').slice(0, 21)
    const sign = createHash('sha1').update(`webAgent|32jdskjdk320eew|${timestamp}|${nonce}`).digest('hex').toUpperCase()
    return {
      appUid: server.apiKey, appId: 'webAgent', appKey: '32jdskjdk320eew', cmimToken: server.apiKey, timestamp, nonce, sign,
      fService: 'privite', fType: 'picture', fSuffix: 'png', fContentType: 'image/png',
    }
  }

  it.each(['GET', 'POST'] as const)('token by %s, PUT, then the CDN URL and an https URL as inputs', async (form) => {
    const url = `${server.uploadURL}/api/rest/oss/getuploadtoken`
    const fields = new URLSearchParams(tokenFields()).toString()
    const token = form === 'GET'
      ? await fetch(`${url}?${fields}`)
      : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields })
    const { data } = (await token.json()) as { data: { ful: string; fdl: string } }
    expect((await fetch(data.ful, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: randomBytes(64) })).status).toBe(200)
    const leaf = newestLeaves(buildDefaultCatalog('image_to_image')).find((l) => l.model_id === 'gemini-3-pro-image')!
    const body: any = createBody('image_to_image', leaf, '{"size":"2K","aspect_ratio":"4:3"}')
    body.src_img_url = [data.fdl, HTTPS_INPUT]
    body.parameters[0].parameters.input_images = [data.fdl, HTTPS_INPUT]
    const answer = await create(server, body)
    expect(answer.json.code, answer.json.message).toBe(0)
    expect(server.tasks.at(-1)).toMatchObject({ taskType: 'image_to_image', attributeId: 2403, inputImages: [data.fdl, HTTPS_INPUT] })
    expect(server.warnings).toEqual([])
  })
})
