/**
 * Every example runs to completion against the embedded local server (no
 * IMA_API_KEY), the way a reader would run it with tsx. Type-checking them
 * is part of `npm run typecheck` (tsconfig includes examples/).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((file) => file.endsWith('.ts'))

/** What each example prints when it got its picture (the chat bot exits 0 after a failure message too). */
const SUCCESS: Record<string, RegExp> = {
  'text-to-image.ts': /^Saved \S+\.png/m,
  'image-to-image.ts': /^Saved \S+\.png/m,
  'chat-bot.ts': /\[bot · push \+ picture\]/,
  'ai-sdk.ts': /^Saved \S+\.png .* task \S+, \d+ points, http/m,
}

/** Input for examples that read stdin; the rest get an empty stdin. */
const STDIN: Record<string, string> = {
  'chat-bot.ts': '画一只猫，横图\n',
}

function runExample(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { ...process.env }
    delete env.IMA_API_KEY
    const child = spawn(process.execPath, ['--import', 'tsx', join('examples', file), ...args], { cwd: ROOT, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.stdin.end(STDIN[file] ?? '')
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr })
    })
  })
}

describe('examples', () => {
  it('has the examples the guides promise', () => {
    expect(EXAMPLES).toEqual(expect.arrayContaining(['text-to-image.ts', 'image-to-image.ts', 'chat-bot.ts', 'ai-sdk.ts']))
  })

  it.each(EXAMPLES)('%s runs against the local server', async (file) => {
    const out = mkdtempSync(join(tmpdir(), 'ima-example-'))
    const result = await runExample(file, ['--out', out])
    expect(result.stderr).not.toMatch(/Error|at .*\.ts:\d+/)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(SUCCESS[file] ?? /\S/)
  }, 70_000)

  // Every flag of the demo, and its default run, are run by test/docs/commands.test.ts as the README shows them.
  it('text-to-image.ts answers a mistyped flag with a usage line, not a stack trace', async () => {
    const result = await runExample('text-to-image.ts', ['--modle', 'MJ'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--modle/)
    expect(result.stderr).toMatch(/npm run demo -- --help/)
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+|node:internal/)
  }, 70_000)
})
