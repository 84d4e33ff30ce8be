/**
 * The packed tarball and scratch projects that install it, shared by the
 * tests in test/package/. Needs `npm run build` first (`npm test` builds
 * before it runs the tests).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'node_modules/.bin')
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }

/** For a test that spawns processes: room for a loaded 2-core CI machine. */
export const SPAWN_TEST_TIMEOUT_MS = 120_000
// Below the test's timeout, so a hung child fails with its output rather than a bare vitest timeout.
const SPAWN_TIMEOUT_MS = 100_000

/** Runs a command to its end; Node options of the test runner are not passed on. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: SPAWN_TIMEOUT_MS, env: { ...process.env, NODE_OPTIONS: '', ...env } })
  return { status: result.status, output: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}` }
}

/**
 * `npm pack` of the built package. `--ignore-scripts` skips `prepack`, which
 * would run a second full build: the tests check the dist that `npm test`
 * (or the developer) just built.
 */
export function packTarball(): string {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests')
  const packDir = mkdtempSync(join(tmpdir(), 'ima-pack-'))
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1) as string
  return join(packDir, packed)
}

/** The packages `stubPackages` replaces; each records its loading in `globalThis.__imaStubsLoaded`. */
export const NODE_ONLY_PACKAGES = ['proper-lockfile', 'write-file-atomic', 'commander', 'unstorage'] as const

/**
 * A scratch project (`"type": "module"`) with the tarball unpacked as its
 * dependency. The package's own dependencies are linked from this repo (no
 * network), except those in `stubPackages`: empty CommonJS packages that push
 * their name onto `globalThis.__imaStubsLoaded` when loaded, from ESM or CJS.
 */
export function scratchProject(tarball: string, stubPackages: readonly string[] = []): string {
  const project = mkdtempSync(join(tmpdir(), 'ima-smoke-'))
  const installed = join(project, 'node_modules/ima-open-sdk')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'])
  for (const dependency of Object.keys(manifest.dependencies)) {
    if (stubPackages.includes(dependency)) continue
    const link = join(project, 'node_modules', dependency)
    mkdirSync(join(link, '..'), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules', dependency), link, 'dir')
  }
  for (const name of stubPackages) {
    const dir = join(project, 'node_modules', name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '0.0.0-stub', main: 'index.js' }))
    writeFileSync(join(dir, 'index.js'), `;(globalThis.__imaStubsLoaded ??= []).push(${JSON.stringify(name)})\nmodule.exports = {}\n`)
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }))
  return project
}
