/**
 * Every ```ts block in the README and the guides compiles against the SDK's
 * current types, under the strictest settings a user's project may have
 * (`strict`, `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`).
 * Blocks are compiled as modules; names a fragment uses without declaring
 * (`ima`, `task`, `result`…) come from the prelude below. The shell commands
 * of the same documents are run by commands.test.ts.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { documents, ROOT, snippetsOf } from './documents.js'

const OUT = join(ROOT, 'temp/doc-snippets')

const PRELUDE = `import type { ImaClient, CreatedTask, TaskResult, UploadSource } from 'ima-open-sdk'
declare global {
  /** A client, as most snippets assume one exists. */
  const ima: ImaClient
  const task: CreatedTask
  const result: TaskResult
  const url: string
  const bytesOrBlobOrStream: UploadSource
}
export {}
`

/**
 * The compiler's messages about the snippets. The SDK's sources are compiled
 * with them (the paths point at src/) but are not written for
 * `exactOptionalPropertyTypes`; their own settings are checked by
 * `npm run typecheck`, so only messages that start in a snippet count.
 */
function snippetDiagnostics(output: string): string[] {
  const snippetDir = `${relative(ROOT, OUT)}/`
  return output
    .split(/\n(?=\S)/) // one diagnostic per line that is not indented (its continuation lines are)
    .map((diagnostic) => diagnostic.trim())
    .filter((diagnostic) => diagnostic !== '' && (diagnostic.startsWith(snippetDir) || !/^[^\s(]+\(\d+,\d+\)/.test(diagnostic)))
}

describe('code blocks in the docs', () => {
  it('all compile', () => {
    rmSync(OUT, { recursive: true, force: true })
    mkdirSync(OUT, { recursive: true })
    writeFileSync(join(OUT, 'prelude.d.ts'), PRELUDE)
    const written: string[] = []
    for (const file of documents()) {
      snippetsOf(file).forEach((code, index) => {
        const name = `${file.replace(/[^a-z0-9]+/gi, '-')}-${index + 1}.ts`
        writeFileSync(join(OUT, name), `// ${file}, block ${index + 1}\n${code}\nexport {}\n`)
        written.push(name)
      })
    }
    writeFileSync(
      join(OUT, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.json',
        compilerOptions: { noUnusedLocals: false, exactOptionalPropertyTypes: true, baseUrl: '../..' },
        include: ['*.ts'],
      }),
    )
    expect(written.length).toBeGreaterThan(5)
    const result = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', OUT, '--pretty', 'false'], { encoding: 'utf8' })
    expect(snippetDiagnostics(`${result.stdout}${result.stderr}`)).toEqual([])
  }, 60_000)
})
