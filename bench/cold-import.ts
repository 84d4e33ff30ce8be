/**
 * Cold start against `node -e 0`: each import in a fresh Node, run from the
 * repository so `ima-open-sdk` resolves through the package's own `exports`
 * (self-reference) to the built `dist/`, peers from node_modules. Runs
 * interleave (A B C … A B C …) so load on the machine hits every target alike.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { cleanChildEnv, fixed, median, printTable, requireBuild, ROOT, verdict } from './lib/stats.js'

const importOf = (specifier: string) => ['-e', `import(${JSON.stringify(specifier)})`]

const TARGETS: { name: string; args: string[]; target?: number }[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: "import('ima-open-sdk')", args: importOf('ima-open-sdk'), target: 2.5 },
  { name: "import('ima-open-sdk/node')", args: importOf('ima-open-sdk/node') },
  { name: 'ima --help (node dist/cli/index.js --help)', args: ['dist/cli/index.js', '--help'], target: 3 },
  { name: "import('openai')", args: importOf('openai') },
  { name: "import('@fal-ai/client')", args: importOf('@fal-ai/client') },
  { name: "import('replicate')", args: importOf('replicate') },
  { name: "import('ofetch')", args: importOf('ofetch') },
]

export function coldImports(runs = 20): void {
  requireBuild('dist/index.js', 'dist/node/index.js', 'dist/cli/index.js')
  const env = cleanChildEnv()
  const time = (args: string[]) => {
    const started = performance.now()
    const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] })
    const elapsed = performance.now() - started
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status}): ${String(result.stderr).slice(0, 500)}`)
    return elapsed
  }
  const resolved = spawnSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('ima-open-sdk'))"], { cwd: ROOT, env, encoding: 'utf8' })
  const times = TARGETS.map(() => [] as number[])
  for (const target of TARGETS) time(target.args) // warm the file cache
  for (let run = 0; run < runs; run += 1) for (const [i, target] of TARGETS.entries()) times[i]!.push(time(target.args))
  const bare = median(times[0]!)
  console.log(`2. Cold start vs node -e 0 (${runs} interleaved runs each, medians; NODE_EXTRA_CA_CERTS unset; 'ima-open-sdk' → ${resolved.stdout.trim().replace(`file://${ROOT}/`, '')})`)
  printTable(
    ['command', 'ms', '× node -e 0', 'target'],
    TARGETS.map((target, i) => {
      const ms = median(times[i]!)
      const ratio = ms / bare
      return [target.name, fixed(ms, 1), `${fixed(ratio)}×`, target.target === undefined ? '' : `≤ ${fixed(target.target, 1)}× ${verdict(ratio <= target.target)}`]
    }),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) coldImports()
