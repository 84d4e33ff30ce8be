/**
 * The package as users get it: `npm pack`, publint and attw on the tarball,
 * then the tarball installed into a scratch project and used from ESM, CJS
 * and TypeScript (node10, node16 and bundler resolution). Needs `npm run build`
 * first (`npm test` builds before it runs the tests).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, ROOT, SPAWN_TEST_TIMEOUT_MS, packTarball, run, scratchProject } from './scratch.js'

let tarball = ''
let project = ''

beforeAll(() => {
  tarball = packTarball()
  project = scratchProject(tarball)
}, SPAWN_TEST_TIMEOUT_MS)

describe('the packed tarball', () => {
  it('passes publint (strict)', () => {
    const result = run(join(BIN, 'publint'), ['run', tarball, '--strict'], ROOT)
    expect(result.output).toContain('All good')
    expect(result.status).toBe(0)
  }, SPAWN_TEST_TIMEOUT_MS)

  // attw's default (strict) profile: node10, node16 from CJS, node16 from ESM and bundler, for every entry.
  it('passes attw in every resolution mode', () => {
    const result = run(join(BIN, 'attw'), [tarball, '--format', 'table-flipped', '--no-color'], ROOT)
    expect(result.status, result.output).toBe(0)
    for (const mode of ['node10', 'node16 (from CJS)', 'node16 (from ESM)', 'bundler']) expect(result.output).toContain(mode)
    for (const entry of ['node', 'testing', 'chat', 'protocol', 'ai-sdk', 'queue']) expect(result.output).toContain(`"ima-open-sdk/${entry}"`)
  }, SPAWN_TEST_TIMEOUT_MS)

  it('ships dist and what the README and `ima --help` link to (docs, the API reports), with the changelog and the licence-bearing manifest', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n')
    const shipped = (file: string) => ['package/package.json', 'package/README.md', 'package/CHANGELOG.md', 'package/LICENSE'].includes(file) || /^package\/(dist|docs)\//.test(file) || /^package\/etc\/[\w-]+\.api\.md$/.test(file)
    expect(files.filter((file) => !shipped(file))).toEqual([])
    expect(files).toContain('package/dist/index.js')
    for (const entry of ['node', 'testing', 'chat', 'protocol', 'ai-sdk', 'queue']) expect(files).toContain(`package/dist/${entry}/index.cjs`)
    // Every relative link of the README (docs/cli.md, docs/mcp.md…) resolves inside the package.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const links = [...readme.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)(?:#[^)]*)?\)/g)].map((match) => match[1] ?? '')
    expect(links.length).toBeGreaterThan(5)
    for (const link of new Set(links)) expect(files, link).toContain(`package/${link.replace(/^\.\//, '')}`)
  }, SPAWN_TEST_TIMEOUT_MS)

  it('works from ESM: a generation against the local server', () => {
    const script = `
      import { ImaClient, ValidationError } from 'ima-open-sdk'
      import { startImaServer } from 'ima-open-sdk/testing'
      import { ImaClient as NodeImaClient } from 'ima-open-sdk/node'
      import * as chat from 'ima-open-sdk/chat'
      import * as protocol from 'ima-open-sdk/protocol'
      if (Object.keys(chat).length === 0 || Object.keys(protocol).length === 0) throw new Error('an empty entry')
      const server = await startImaServer({ progression: 'polls' })
      const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
      const result = await ima.generate({ model: 'MJ', prompt: 'a castle', intervalMs: 1 })
      const nodeClient = new NodeImaClient({ apiKey: server.apiKey, baseURL: server.url })
      const refused = await nodeClient.tasks.create({ model: 'MJ', prompt: '' }).catch((error) => error)
      console.log(result.url.startsWith(server.url), refused instanceof ValidationError)
      await server.close()`
    const result = run(process.execPath, ['--input-type=module', '-e', script], project)
    expect(result.output.trim()).toBe('true true')
    expect(result.status).toBe(0)
  }, SPAWN_TEST_TIMEOUT_MS)

  it('works from CommonJS', () => {
    const script = `
      const { ImaClient, TaskFailedError, ValidationError } = require('ima-open-sdk')
      const { ImaClient: NodeImaClient } = require('ima-open-sdk/node')
      const { startImaServer } = require('ima-open-sdk/testing')
      if (Object.keys(require('ima-open-sdk/chat')).length === 0 || Object.keys(require('ima-open-sdk/protocol')).length === 0) throw new Error('an empty entry')
      startImaServer({ progression: 'polls' }).then(async (server) => {
        const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
        const error = await ima.generate({ model: 'MJ', prompt: 'x [fail]', intervalMs: 1 }).catch((e) => e)
        // One copy of the core in the CommonJS build too: the Node client's errors are the main entry's classes.
        const refused = await new NodeImaClient({ apiKey: server.apiKey, baseURL: server.url }).tasks.create({ model: 'MJ', prompt: '' }).catch((e) => e)
        console.log(error instanceof TaskFailedError, refused instanceof ValidationError)
        await server.close()
      })`
    const result = run(process.execPath, ['-e', script], project)
    expect(result.output.trim()).toBe('true true')
    expect(result.status).toBe(0)
  }, SPAWN_TEST_TIMEOUT_MS)

  it.each([
    // node10 (`moduleResolution: node`), as `tsc --init` used to set it up: subpaths resolve through
    // typesVersions. skipLibCheck there: node16 and bundler already check our declarations, and checking
    // zod's and @types/node's again would cost ~4× the CPU; the @ts-expect-error lines catch types gone `any`.
    ['node10', { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true, skipLibCheck: true }],
    ['node16', { module: 'node16', moduleResolution: 'node16', skipLibCheck: false }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: false }],
  ])('type-checks in a TypeScript project with moduleResolution %s', (name, options) => {
    const dir = join(project, `ts-${name}`)
    mkdirSync(dir, { recursive: true })
    // node10 projects are CommonJS; no top-level await below, so one source fits all three.
    writeFileSync(join(dir, 'package.json'), JSON.stringify(name === 'node10' ? {} : { type: 'module' }))
    writeFileSync(
      join(dir, 'main.ts'),
      `import { ImaClient, type CreatedTask, type TaskEvent } from 'ima-open-sdk'
import { downloadResult } from 'ima-open-sdk/node'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
// Whole namespaces: which names live in these entries is still moving; this checks that they resolve.
import * as chat from 'ima-open-sdk/chat'
import * as protocol from 'ima-open-sdk/protocol'
export const entries: object[] = [chat, protocol]
export async function main(): Promise<void> {
  const server: ImaServer = await startImaServer()
  const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
  const task: CreatedTask = await ima.tasks.create({ model: 'gemini-3-pro-image', prompt: 'a fox', size: '2K' })
  for await (const event of ima.tasks.waitFor(task)) {
    const percent: number = event.percent
    const type: TaskEvent['type'] = event.type
    console.log(type, percent)
  }
  await downloadResult('https://example.com/a.png', 'a.png')
  // @ts-expect-error the size must be a string
  await ima.tasks.create({ model: 'x', prompt: 'y', size: 4 })
  // @ts-expect-error the URL must be a string
  await downloadResult(42, 'a.png')
  // @ts-expect-error the port must be a number
  await startImaServer({ port: 'any' })
}
`,
    )
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'es2022', strict: true, noEmit: true, ...options, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] }, files: ['main.ts'] }),
    )
    const result = run(join(BIN, 'tsc'), ['-p', dir], dir)
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  }, SPAWN_TEST_TIMEOUT_MS)
})
