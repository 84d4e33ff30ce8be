/**
 * The package as users get it: `npm pack`, publint and attw on the tarball,
 * then the tarball installed into a scratch project and used from ESM, CJS
 * and TypeScript (node16 and bundler resolution). Needs `npm run build`
 * first (`npm test` builds before it runs the tests).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'node_modules/.bin')
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> }

let tarball = ''
let project = ''

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' } })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests')
  const packDir = mkdtempSync(join(tmpdir(), 'ima-pack-'))
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1) as string
  tarball = join(packDir, packed)

  // A scratch project with the tarball unpacked as its dependency; the package's own dependencies are linked from this repo (no network).
  project = mkdtempSync(join(tmpdir(), 'ima-smoke-'))
  const installed = join(project, 'node_modules/ima-open-sdk')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'])
  for (const dependency of Object.keys(manifest.dependencies)) {
    const link = join(project, 'node_modules', dependency)
    mkdirSync(join(link, '..'), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules', dependency), link, 'dir')
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }))
}, 120_000)

describe('the packed tarball', () => {
  it('passes publint (strict)', () => {
    const result = run(join(BIN, 'publint'), ['run', tarball, '--strict'], ROOT)
    expect(result.output).toContain('All good')
    expect(result.status).toBe(0)
  })

  it('passes attw for node16 (CJS and ESM) and bundler resolution', () => {
    const result = run(join(BIN, 'attw'), [tarball, '--profile', 'node16', '--format', 'table-flipped', '--no-color'], ROOT)
    expect(result.status, result.output).toBe(0)
  })

  it('ships dist only, with the README and the licence-bearing manifest', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n')
    expect(files.every((file) => file === 'package/package.json' || file === 'package/README.md' || file.startsWith('package/dist/') || file === 'package/LICENSE')).toBe(true)
    expect(files).toContain('package/dist/index.js')
  })

  it('works from ESM: a generation against the local server', () => {
    const script = `
      import { ImaClient, ValidationError } from 'ima-open-sdk'
      import { startImaServer } from 'ima-open-sdk/testing'
      import { ImaClient as NodeImaClient } from 'ima-open-sdk/node'
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
  })

  it('works from CommonJS', () => {
    const script = `
      const { ImaClient, TaskFailedError } = require('ima-open-sdk')
      const { startImaServer } = require('ima-open-sdk/testing')
      startImaServer({ progression: 'polls' }).then(async (server) => {
        const ima = new ImaClient({ apiKey: server.apiKey, baseURL: server.url })
        const error = await ima.generate({ model: 'MJ', prompt: 'x [fail]', intervalMs: 1 }).catch((e) => e)
        console.log(error instanceof TaskFailedError)
        await server.close()
      })`
    const result = run(process.execPath, ['-e', script], project)
    expect(result.output.trim()).toBe('true')
    expect(result.status).toBe(0)
  })

  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('type-checks in a TypeScript project with moduleResolution %s', (name, options) => {
    const dir = join(project, `ts-${name}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
    writeFileSync(
      join(dir, 'main.ts'),
      `import { ImaClient, type CreatedTask, type TaskEvent } from 'ima-open-sdk'
import { downloadResult } from 'ima-open-sdk/node'
import { startImaServer, type ImaServer } from 'ima-open-sdk/testing'
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
`,
    )
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] }, files: ['main.ts'] }),
    )
    const result = run(join(BIN, 'tsc'), ['-p', dir], dir)
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })
})
