/**
 * `startImaServer({ tls: true })` and `ima serve --tls`: https like the
 * service, proved with clients that trust only what they are told to — the
 * SDK in a Node child with NODE_EXTRA_CA_CERTS, curl with --cacert, Python's
 * strict verification — while a client without the CA is refused.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startImaServer } from '../../src/testing/index.js'
import type { ImaServer, ServerProductNode } from '../../src/testing/index.js'
import { fixture, killLeftoverChildren } from '../support/tsx-child.js'
import { prepareIma, type ImaProcess } from '../cli/ima-process.js'

const run = promisify(execFile)
const PRODUCT_LIST = '/open/v1/product/list?app=ima&platform=web&category=text_to_image'
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47]

/** The environment of a child: none of the caller's IMA_* variables or CA settings, plus `extra`. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('IMA_') && name !== 'NODE_EXTRA_CA_CERTS') env[name] = value
  }
  return { ...env, ...extra }
}

/** `curl -sS --cacert <ca>` with the API headers; resolves with the parsed JSON. */
async function curlJson(server: ImaServer, path: string, body?: unknown): Promise<{ code: number; data: any }> {
  const args = ['-sS', '--cacert', server.ca?.path ?? '', '-H', `authorization: Bearer ${server.apiKey}`, '-H', 'x-app-source: ima_skills']
  if (body !== undefined) args.push('-H', 'content-type: application/json', '--data-binary', JSON.stringify(body))
  const { stdout } = await run('curl', [...args, `${server.url}${path}`])
  return JSON.parse(stdout)
}

/** Every string in a JSON value that looks like a URL (has a scheme). */
function urlsIn(value: unknown): string[] {
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? [value] : []
  if (Array.isArray(value)) return value.flatMap(urlsIn)
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(urlsIn)
  return []
}

/** The version leaves of a product tree, at any depth. */
function versionLeaves(nodes: ServerProductNode[]): ServerProductNode[] {
  return nodes.flatMap((node) => (node.children?.length ? versionLeaves(node.children) : [node]))
}

/** Whether a command runs at all here. */
async function available(command: string, args: string[]): Promise<boolean> {
  return run(command, args).then(
    () => true,
    () => false,
  )
}

// Python is optional here; where it is missing, its test says "skipped" rather than failing.
const HAS_PYTHON = await available('python3', ['-c', 'import ssl'])

afterEach(() => killLeftoverChildren())

describe('startImaServer({ tls: true })', () => {
  let server: ImaServer
  let origin: string

  beforeAll(async () => {
    server = await startImaServer({ tls: true, taskDurationMs: 40 })
    origin = server.url
  })

  afterAll(async () => {
    await server?.close()
  })

  it('hands out https URLs and a CA file, and close() removes the file', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(server.uploadURL).toBe(server.url)
    expect(server.ca?.pem).toMatch(/^-----BEGIN CERTIFICATE-----/)
    expect(await readFile(server.ca?.path ?? '', 'utf8')).toBe(server.ca?.pem)

    const other = await startImaServer({ tls: true })
    const path = other.ca?.path ?? ''
    expect(existsSync(path)).toBe(true)
    expect(path).not.toBe(server.ca?.path)
    await other.close()
    expect(existsSync(path)).toBe(false)
  })

  it('is really TLS: fetch and curl without the CA are refused', async () => {
    const refused = await fetch(`${server.url}${PRODUCT_LIST}`).then(
      () => undefined,
      (error: Error & { cause?: { code?: string } }) => error,
    )
    expect(refused?.cause?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/)
    // 60: "peer certificate cannot be authenticated with known CA certificates".
    await expect(run('curl', ['-sS', `${server.url}${PRODUCT_LIST}`])).rejects.toMatchObject({ code: 60 })
  })

  it(
    'the SDK in a Node child trusting the CA: text_to_image, an upload, image_to_image, a result fed back',
    async () => {
      const before = server.tasks.length
      const child = spawn(process.execPath, ['--import', 'tsx', fixture('https-sdk-client.ts'), server.url, server.apiKey], {
        env: childEnv({ NODE_EXTRA_CA_CERTS: server.ca?.path ?? '' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect(code, output).toBe(0)
      const report = JSON.parse(output.trim().split('\n').at(-1) ?? '')
      expect(report.downloadStatus).toBe(200)
      expect(report.downloadType).toBe('image/png')

      const tasks = server.tasks.slice(before)
      expect(tasks.map((task) => task.taskType)).toEqual(['text_to_image', 'image_to_image', 'image_to_image', 'image_to_image'])
      const [, fromUpload, fromBytes, fromResult] = tasks
      // Both uploads (put, and bytes in inputImages) went over https and hold the pictures downloaded over https.
      const uploads = server.uploads.slice(-2)
      expect(uploads.map((upload) => upload.bytes.length)).toEqual([report.pictureBytes, report.coverBytes])
      for (const upload of uploads) expect([...upload.bytes.slice(0, 4)]).toEqual(PNG_SIGNATURE)
      expect(fromUpload?.inputImages).toEqual([report.uploadURL])
      expect(fromBytes?.inputImages).toEqual([uploads[1]?.fdl])
      expect(fromResult?.inputImages).toEqual([report.results[0].url])

      // Every URL in every answer is https; those of results and uploads point at this server.
      for (const url of server.requests.flatMap((request) => urlsIn(request.responseBody))) expect(url, url).toMatch(/^https:\/\//)
      const own = [...urlsIn(report), ...server.requests.filter((request) => request.path !== '/open/v1/product/list').flatMap((request) => urlsIn(request.responseBody))]
      expect(own.length).toBeGreaterThanOrEqual(12)
      for (const url of own) expect(url.startsWith(`${origin}/`), url).toBe(true)
    },
    60_000,
  )

  it(
    'curl --cacert: product list, create, detail until done, and the result PNG',
    async () => {
      const list = await curlJson(server, PRODUCT_LIST)
      expect(list.code).toBe(0)
      expect(list.data.length).toBeGreaterThan(0)

      // The body the SDK would send, as the catalog dictates: SeeDream 4.5's default rule.
      const seedream = versionLeaves(server.catalog('text_to_image')).find((node) => node.model_id === 'doubao-seedream-4.5')
      const rule = seedream?.credit_rules?.[0]
      expect(rule).toBeDefined()
      const parameters = { prompt: 'a fox over curl', n: 1, ...Object.fromEntries(Object.entries(rule?.attributes ?? {}).filter(([name]) => name !== 'default')) }
      const body = {
        task_type: 'text_to_image',
        enable_multi_model: false,
        src_img_url: [],
        parameters: [
          {
            attribute_id: rule?.attribute_id,
            model_id: seedream?.model_id,
            model_name: seedream?.name,
            model_version: seedream?.id,
            app: 'ima',
            platform: 'web',
            category: 'text_to_image',
            credit: rule?.points,
            parameters: { ...parameters, input_images: [], cast: { points: rule?.points, attribute_id: rule?.attribute_id } },
          },
        ],
      }
      const created = await curlJson(server, '/open/v1/tasks/create', body)
      expect(created, JSON.stringify(created)).toMatchObject({ code: 0 })
      const taskId: string = created.data.id

      let medias: { url?: string; cover_url?: string }[] = []
      // Each curl takes longer than a tenth of the 40 ms task: a bounded loop of requests, not a sleep.
      for (let attempt = 0; attempt < 200 && !medias[0]?.url; attempt += 1) {
        medias = (await curlJson(server, '/open/v1/tasks/detail', { task_id: taskId })).data.medias
      }
      const url = medias[0]?.url ?? ''
      expect(url.startsWith(`${origin}/files/${taskId}/`)).toBe(true)
      expect(medias[0]?.cover_url?.startsWith(`${origin}/`)).toBe(true)

      const { stdout } = await run('curl', ['-sS', '--cacert', server.ca?.path ?? '', '-o', '-', '-w', '\n%{http_code} %{content_type}', url], { encoding: 'latin1' })
      expect(stdout.slice(0, 4)).toBe('\x89PNG')
      expect(stdout.slice(stdout.lastIndexOf('\n') + 1)).toBe('200 image/png')
    },
    30_000,
  )

  it.skipIf(!HAS_PYTHON)(
    "Python's strict verification (the default from 3.13, as in requests) trusts the CA file",
    async () => {
      // VERIFY_X509_STRICT refuses CA-signed chains without key identifiers; the server's self-signed certificate passes.
      const script = [
        'import json, ssl, sys, urllib.request',
        'context = ssl.create_default_context(cafile=sys.argv[1])',
        'context.verify_flags |= ssl.VERIFY_X509_STRICT | getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0)',
        'request = urllib.request.Request(sys.argv[2], headers={"authorization": "Bearer " + sys.argv[3], "x-app-source": "ima_skills"})',
        'print(json.load(urllib.request.urlopen(request, context=context))["code"])',
      ].join('\n')
      const { stdout } = await run('python3', ['-c', script, server.ca?.path ?? '', `${server.url}${PRODUCT_LIST}`, server.apiKey])
      expect(stdout.trim()).toBe('0')
    },
    30_000,
  )
})

describe('without tls', () => {
  it('stays plain http with no CA', async () => {
    const server = await startImaServer()
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(server.ca).toBeUndefined()
    } finally {
      await server.close()
    }
  })

  it('refuses a tls option that is not a boolean', async () => {
    await expect(startImaServer({ tls: 'yes' as unknown as boolean })).rejects.toThrow(/tls must be true or false/)
  })
})

describe('ima serve --tls', () => {
  let ima: ImaProcess

  beforeAll(async () => {
    ima = await prepareIma()
  }, 60_000)

  afterAll(async () => {
    await ima?.remove()
  })

  /** `ima serve --tls`, once it says it is ready. */
  async function serveTls() {
    const child = spawn(process.execPath, [...ima.nodeArgs, 'serve', '--tls'], { env: childEnv({ NO_COLOR: '1' }), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    await expect.poll(() => stderr, { timeout: 20_000, interval: 20 }).toContain('Ctrl-C to stop.')
    // Both of its lines are out before the ready line on stderr; read as they arrive all the same.
    await expect.poll(() => stdout, { timeout: 20_000, interval: 20 }).toContain('NODE_EXTRA_CA_CERTS=')
    return { child, stdout, closed }
  }

  it(
    'prints the CA path and the NODE_EXTRA_CA_CERTS line, serves https with it, and removes it on exit',
    async () => {
      const { child, stdout, closed } = await serveTls()

      const url = /Local IMA server: (\S+)/.exec(stdout)?.[1] ?? ''
      const caPath = /CA certificate: +(\S+)/.exec(stdout)?.[1] ?? ''
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      expect(stdout).toContain(`export IMA_BASE_URL=${url} IMA_IM_BASE_URL=${url} `)
      expect(stdout).toContain(`  export NODE_EXTRA_CA_CERTS=${caPath}\n`)
      expect(existsSync(caPath)).toBe(true)

      const key = /Test key: +(\S+)/.exec(stdout)?.[1] ?? ''
      const list = await run('curl', ['-sS', '--cacert', caPath, '-H', `authorization: Bearer ${key}`, '-H', 'x-app-source: ima_skills', `${url}${PRODUCT_LIST}`])
      expect(JSON.parse(list.stdout).code).toBe(0)

      child.kill('SIGTERM')
      expect(await closed).toBe(0)
      expect(existsSync(caPath)).toBe(false)
    },
    60_000,
  )

  it(
    'a closed terminal (SIGHUP) ends it the same way: exit 0, the CA removed',
    async () => {
      const { child, stdout, closed } = await serveTls()
      const caPath = /CA certificate: +(\S+)/.exec(stdout)?.[1] ?? ''
      expect(existsSync(caPath)).toBe(true)
      child.kill('SIGHUP')
      expect(await closed).toBe(0)
      expect(existsSync(caPath)).toBe(false)
    },
    60_000,
  )
})
