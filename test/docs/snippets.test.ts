/**
 * Every ```ts block in the README and the guides compiles against the SDK's
 * current types. Blocks are compiled as modules; names a fragment uses
 * without declaring (`ima`, `task`, `result`…) come from the prelude below.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
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

function documents(): string[] {
  const guides = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md') && !file.startsWith('api/'))
    .map((file) => join('docs', file))
  return ['README.md', ...guides]
}

function snippetsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '')
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
      JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noUnusedLocals: false, baseUrl: '../..' }, include: ['*.ts'] }),
    )
    expect(written.length).toBeGreaterThan(5)
    const result = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', OUT], { encoding: 'utf8' })
    expect(`${result.stdout}${result.stderr}`).toBe('')
    expect(result.status).toBe(0)
  }, 60_000)
})
