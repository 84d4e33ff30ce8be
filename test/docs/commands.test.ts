/**
 * Every shell command the README and the guides show runs, offline, and does
 * what the text says: `ima …` through the built CLI (dist/cli/index.js, which
 * `npm test` builds before this runs) against `ima serve`, `npm run demo`
 * with each of its documented flags and the examples against their embedded
 * local server. Each run checks the exit code and something meaningful in
 * the output. Commands that cannot run here are listed in NOT_RUN with the
 * reason; a command the docs show that is neither run nor listed fails the
 * first test, and so does an entry whose command the docs no longer show.
 *
 * Commands run through bash as written, with `ima` on the PATH (a shim for
 * the built bin), HOME in a temporary folder (the journal and the
 * preferences the CLI writes) and `npx ima` read as `ima` (after
 * `npm install ima-open-sdk` that is the package's own bin; here npx would
 * look for a package named "ima" on the registry).
 */
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, shownCommands, type ShownCommand } from './documents.js'

const CLI = join(ROOT, 'dist/cli/index.js')
/** One child process: room for a loaded 2-core machine, far above the second or two each takes. */
const CHILD_TIMEOUT_MS = 60_000
const TEST_TIMEOUT_MS = 90_000
/** Task duration of the local servers most commands run against: a wait takes a fraction of a second. */
const TASK_MS = 200
/** The demo's local task: long enough that its first polls see "pending" on a loaded machine. */
const DEMO_TASK_MS = 400
/** Used only when `ima serve` does not print IMA_POLL_INTERVAL_MS itself. */
const FALLBACK_POLL_INTERVAL_MS = '50'

/** Commands the docs show that this test does not run, and why. */
const NOT_RUN: Record<string, string> = {
  'npm install && npm run demo': 'npm install needs the registry (the suite runs on the installed tree); its `npm run demo` is run on its own below',
  'npm test': 'this suite itself',
  'npm install ima-open-sdk': 'needs the registry; test/package installs the packed tarball instead',
  'npm install ima-open-sdk ai': 'needs the registry; ai is installed as a devDependency and test/ai-sdk runs generateImage with it',
  'export IMA_API_KEY=ima_…': 'a real key, for the real service',
  'npm run bench': 'minutes of measurement by design; it prints figures rather than asserting them in this suite',
  'npx tsx bench/throughput.ts': 'the request-rate part of `npm run bench` alone: a minute of measurement by design, printed rather than asserted',
  'npm run chaos': 'the same seeded scenario runs in test/integration/paid-tasks.test.ts',
  'npm run api:update': 'rewrites etc/*.api.md; `npm test` runs the check it feeds (check:api)',
  'npm run docs:api': 'writes the generated reference into docs/api/ (not committed) from the TSDoc the API reports already check',
  'node -e 0': 'the baseline of the cold-import figure: a Node process that does nothing',
  'python3 …/ima_image_create.py': "the skills' Python script is not part of this repository; its flags are run through `npx ima` below",
  'python3 ima_image_create.py …': "the skills' Python script is not part of this repository",
  'python3 {baseDir}/scripts/ima_image_create.py --api-key $IMA_API_KEY --task-type text_to_image --model-id gemini-3-pro-image --prompt "sunset landscape" --size 4K --user-id {user_id} --output-json':
    "the skills' Python script is not part of this repository; the `npx ima` line after it is run",
  'python3 scripts/ima_image_create.py --task-type text_to_image --model-id gemini-3-pro-image --prompt "a red fox" --extra-params \'{"size":"4K"}\' --output-json':
    "the skills' Python script is not part of this repository; the `npx ima` line after it is run",
  'ima … --output-json | jq': 'needs jq, which CI does not install; the `--output-json` runs below parse that line as JSON',
  'REQUESTS_CA_BUNDLE=<path>': "Python requests' setting for the CA file, not a command of this package (the CA file itself is used by the https runs)",
  'ima mcp': 'an MCP server on stdio: its client (an agent) starts it and speaks JSON-RPC over its stdin and stdout until it closes them; test/mcp/mcp-stdio.test.ts runs it so, with the official MCP client',
  'ima mcp --http 3939': 'serves until Ctrl-C, on a fixed port that may be taken on a CI machine; test/mcp/mcp-http.test.ts runs `ima mcp --http 0` (a free port) with the official MCP client',
  'ima mcp [--http <port>]': "docs/cli.md's synopsis of the two forms above, each listed on its own",
  'claude mcp add --transport stdio --env IMA_API_KEY=ima_… --env IMA_MAX_CREDITS=200 ima -- npx -y -p ima-open-sdk ima mcp':
    "needs the Claude Code CLI, which CI does not install, and a real key; it only writes Claude Code's config, whose command (`ima mcp`) is the one above",
  'npx -y -p ima-open-sdk ima mcp': 'needs the registry (npx downloads the published package); it runs the same bin this suite runs as `ima`',
  'npm install -g ima-open-sdk bullmq ioredis unstorage':
    'needs the registry and writes outside the tree; bullmq, ioredis and unstorage are devDependencies here and test/cli/batch-queue.test.ts loads them from the built ima',
  'npm install -g ima-open-sdk': 'needs the registry and writes outside the tree; test/package installs the packed tarball instead',
  'npx @modelcontextprotocol/inspector ima mcp': 'the MCP Inspector is an interactive web UI fetched from the registry; it is not a dependency of this package',
  'ima batch prompts.jsonl --concurrency 4 --max-credits 200 --out pictures/':
    'needs a prompts file; test/cli/batch.test.ts runs ima batch with these flags against a local server: a whole batch into --out, Ctrl-C then the same command again (one create per line in all), the bar through a pseudo-terminal, the refusals before anything is spent',
  'ima batch <file> [--concurrency 4] [--max-credits <points>] [--out <folder>] [--summary <file>] [--yes] [--quiet] [--json] [--queue <redis-url> [--queue-name ima-generations]]':
    "docs/cli.md's synopsis of ima batch; test/cli/batch.test.ts runs each of its options against a local server, test/cli/batch-queue.test.ts --queue and --queue-name on a real redis-server",
  'ima worker --queue <redis-url> [--queue-name ima-generations] [--concurrency 4] [--max-credits <points>] [--max-creates-in-flight <n>]':
    "docs/cli.md's synopsis of ima worker: it needs a Redis; test/cli/batch-queue.test.ts runs workers with each of these options on a real redis-server",
  'ima worker --queue redis://queue.internal:6379':
    'needs a Redis (redis-server is not part of this suite) and serves until Ctrl-C; test/cli/batch-queue.test.ts runs two such workers on a throw-away redis-server and stops them with SIGTERM',
  'ima batch prompts.jsonl --queue redis://queue.internal:6379 --out pictures/':
    'needs a Redis and running workers; test/cli/batch-queue.test.ts runs ima batch --queue --out over 12 lines with two workers on a throw-away redis-server (exactly 12 creates), and again (none)',
}

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

/** Values a step hands to later ones, as environment variables of their shell (`$PICTURE`). */
const vars: Record<string, string> = {}
/** What `npm run demo -- --help` printed. */
let demoHelp = ''

/** The `ima serve` processes beforeAll starts, by what they are for. */
const SERVES = {
  fast: `ima serve --port 0 --host 127.0.0.1 --progression time --task-duration ${TASK_MS}`,
  default: 'ima serve',
  tls: `ima serve --tls --task-duration ${TASK_MS}`,
  polls: 'ima serve --progression polls --json',
} as const
type ServerName = keyof typeof SERVES

interface Step {
  /** The command line run by bash. */
  command: string
  /** What the docs show that this step runs, verbatim, when that is not `command` itself (a synopsis, a placeholder). */
  shows?: string[]
  /** `cli`: a work folder, pointed at `ima serve`; `demo`: a fresh folder under temp/, no IMA_* variables; `repo`: the repository, no IMA_* variables. */
  where: 'cli' | 'demo' | 'repo'
  /** Which `ima serve` a `cli` step talks to. */
  server?: ServerName
  env?: Record<string, string>
  /** A `cli` step whose command names a path of the repository: run there instead of the work folder. */
  inRepo?: boolean
  /** Sends SIGINT to the process group (Ctrl-C) once the output matches. */
  interruptWhen?: RegExp
  check(ran: Ran): void
}

function jsonOf(stdout: string): unknown {
  const lines = stdout.trim().split('\n')
  return JSON.parse(lines.at(-1) ?? '')
}

/** The last stdout line, a saved file that must exist. */
function savedPath(ran: Ran): string {
  const path = ran.stdout.trim().split('\n').at(-1) ?? ''
  expect(existsSync(path), `saved file ${path}`).toBe(true)
  return path
}

function expectPng(path: string): void {
  expect(readFileSync(path).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
}

/** The demo's own lines: the model, each progress event (pending, processing, success at 100 %), and the saved picture. */
function expectDemoRun(ran: Ran, model: RegExp, folder: string): void {
  expect(ran.code, ran.stderr).toBe(0)
  expect(ran.stdout).toMatch(model)
  expect(ran.stdout).toMatch(/^ {2}pending +\d+%/m)
  expect(ran.stdout).toMatch(/^ {2}processing +\d+%/m)
  expect(ran.stdout).toMatch(/^ {2}success +100%/m)
  const saved = /^Saved (\S+\.png)/m.exec(ran.stdout)?.[1] ?? ''
  expect(saved.startsWith(join(vars.DEMO_DIR ?? '', folder)), saved).toBe(true)
  expectPng(saved)
}

const CLI_STEPS: Step[] = [
  // The README's session against `ima serve`.
  {
    command: "ima quote --model 'NB Pro' --size 4K",
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).toMatch(/Nano Banana Pro .*4K.*18 pts/)
    },
  },
  {
    command: "ima generate 'a lighthouse at dusk' --model NB2 --ratio 16:9 --out",
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stderr).toMatch(/Nano Banana2/)
      vars.PICTURE = savedPath(ran)
      expect(vars.PICTURE).toMatch(/a-lighthouse-at-dusk-task_?[\w-]+\.png$/)
      expectPng(vars.PICTURE)
    },
  },
  {
    command: "ima --task-type text_to_image --model-id gemini-3-pro-image --prompt 'a red fox' --size 2K --output-json",
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      const result = jsonOf(ran.stdout) as Record<string, unknown>
      expect(result).toMatchObject({ model_id: 'gemini-3-pro-image', model_name: 'Nano Banana Pro', credit: 10, url: expect.stringMatching(/^https?:\/\//) })
      vars.TASK_ID = String(result.task_id)
    },
  },
  {
    command: 'ima --prompt "a fox" --model-id "nano bananna pro"; echo "exit $?"',
    where: 'cli',
    check: (ran) => {
      expect(ran.stdout.trim()).toBe('exit 1')
      expect(ran.stderr).toMatch(/nano bananna pro/)
      expect(ran.stderr).toMatch(/Nano Banana Pro/) // the close match it suggests
    },
  },
  {
    command: 'ima generate "a castle [never]"',
    shows: ['ima generate "a castle [never]"', 'echo $?'],
    where: 'cli',
    // Its own journal: this task never finishes, so it must not be one of the pending tasks resumed below.
    env: { IMA_JOURNAL_PATH: 'never-journal.jsonl' },
    interruptWhen: /task_\w+/,
    check: (ran) => {
      expect(ran.code, `${ran.stdout}${ran.stderr}`).toBe(130) // what `echo $?` prints
      expect(ran.stderr).toMatch(/ima wait task_\w+/)
    },
  },
  // docs/cli.md and docs/migrating-from-python.md: the reference script's flags.
  {
    command:
      'npx ima --api-key $IMA_API_KEY --task-type text_to_image --model-id gemini-3-pro-image --prompt "sunset landscape" --size 4K --user-id {user_id} --output-json',
    shows: [
      'npx ima --api-key $IMA_API_KEY --task-type text_to_image --model-id gemini-3-pro-image --prompt "sunset landscape" --size 4K --user-id {user_id} --output-json',
      'npx ima …',
    ],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(jsonOf(ran.stdout)).toMatchObject({ model_id: 'gemini-3-pro-image', credit: 18 })
    },
  },
  {
    command: 'npx ima --task-type text_to_image --model-id gemini-3-pro-image --prompt "a red fox" --extra-params \'{"size":"4K"}\' --output-json',
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(jsonOf(ran.stdout)).toMatchObject({ model_id: 'gemini-3-pro-image', credit: 18 })
    },
  },
  // docs/cli.md's synopsis of each command, with its options filled in.
  {
    // --open is left out: it starts the desktop's image viewer.
    command: 'ima generate "a lighthouse at dusk" --model NB2 --size 2K --ratio 16:9 --image "$PICTURE" --n 2 --max-credits 20 --out pictures/ --json',
    shows: [
      'ima generate "a lighthouse at dusk" [--model <id|name|alias|tier>] [--size 2K] [--ratio 16:9] [--image <path|url>]… [--n 2] [--max-credits 20] [--out [file|folder]] [--open] [--json]',
    ],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      const result = jsonOf(ran.stdout) as Record<string, unknown>
      expect(result).toMatchObject({ model_id: 'gemini-3.1-flash-image', credit: 20 })
      expect(String(result.path)).toContain('/pictures/')
      expectPng(String(result.path))
    },
  },
  {
    command: 'ima models --task-type image_to_image',
    shows: ['ima models [--task-type text_to_image] [--json]'],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      for (const name of ['SeeDream 4.5', 'Nano Banana2', 'Nano Banana Pro', 'Midjourney']) expect(ran.stdout).toContain(name)
    },
  },
  {
    command: 'ima models --json',
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(JSON.stringify(jsonOf(ran.stdout))).toContain('gemini-3-pro-image')
    },
  },
  {
    command: 'ima quote "a castle" --model MJ --size 720p --ratio 1:1 --image "$PICTURE" --n 2 --json',
    shows: ['ima quote ["prompt"] [--model …] [--size …] [--ratio …] [--image …] [--n …] [--json]'],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(JSON.stringify(jsonOf(ran.stdout))).toMatch(/midjourney/i)
    },
  },
  {
    command: 'ima wait "$TASK_ID" --out fox.png --json',
    shows: ['ima wait <task-id> [--out [file]] [--open] [--json]', 'ima wait <id>', 'ima wait <id> --out <file>'],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      const result = jsonOf(ran.stdout) as Record<string, unknown>
      expect(result.task_id).toBe(vars.TASK_ID)
      expect(String(result.path)).toMatch(/fox\.png$/)
      expectPng(String(result.path))
    },
  },
  {
    command: 'ima tasks --limit 20',
    shows: ['ima tasks [--pending] [--unknown] [--limit 20] [--json]'],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).toContain(vars.TASK_ID)
      expect(ran.stdout).toMatch(/succeeded/)
    },
  },
  {
    command: 'ima tasks --pending',
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(`${ran.stdout}${ran.stderr}`).toMatch(/pending/i)
    },
  },
  {
    command: 'ima tasks --unknown',
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(`${ran.stdout}${ran.stderr}`).toMatch(/unknown/i)
    },
  },
  {
    command: 'ima prefs set "NB Pro" --user-id default --task-type text_to_image',
    shows: ['ima prefs set "NB Pro" [--user-id default] [--task-type text_to_image]'],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(`${ran.stdout}${ran.stderr}`).toMatch(/Nano Banana Pro/)
    },
  },
  {
    command: 'ima prefs get --user-id default --task-type text_to_image --json',
    shows: ['ima prefs get [--user-id default] [--task-type …] [--json]'],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(JSON.stringify(jsonOf(ran.stdout))).toContain('gemini-3-pro-image')
    },
  },
  {
    command: 'ima prefs clear --user-id default --task-type text_to_image && ima prefs get --user-id default --task-type text_to_image --json',
    shows: ['ima prefs clear [--user-id default] [--task-type …]'],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).not.toContain('gemini-3-pro-image')
    },
  },
  {
    command: 'ima --api-key "$IMA_API_KEY" generate "a fox" --quiet',
    shows: ['ima --api-key K generate …'],
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout.trim()).toMatch(/^https?:\/\/\S+\.png$/)
    },
  },
  {
    command: 'ima --help',
    where: 'cli',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      for (const command of ['generate', 'models', 'quote', 'wait', 'tasks', 'prefs', 'serve']) expect(ran.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'))
    },
  },
  {
    command: 'npx tsx src/cli/index.ts models --json',
    shows: ['npx tsx src/cli/index.ts …'],
    where: 'cli',
    inRepo: true,
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(JSON.stringify(jsonOf(ran.stdout))).toContain('doubao-seedream-4.5')
    },
  },
  // A task left pending (the wait timed out), then resumed: against the plain `ima serve`, whose tasks take 3 s.
  {
    command: 'ima generate "a fox for later" --timeout 1',
    shows: [],
    where: 'cli',
    server: 'default',
    check: (ran) => {
      expect(ran.code).toBe(1)
      expect(ran.stderr).toMatch(/ima wait task_\w+/)
    },
  },
  {
    command: 'ima wait --all-pending --out later/ --json',
    shows: ['ima wait --all-pending [--out [folder]] [--json]'],
    where: 'cli',
    server: 'default',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      const resumed = jsonOf(ran.stdout) as Array<Record<string, unknown>>
      expect(resumed).toHaveLength(1)
      expect(String(resumed[0]?.path)).toContain('/later/')
      expectPng(String(resumed[0]?.path))
    },
  },
  {
    command: 'ima generate "a fox, one phase per poll" --json',
    shows: [],
    where: 'cli',
    server: 'polls',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(jsonOf(ran.stdout)).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\S+\.png$/) })
    },
  },
  // docs/testing.md and docs/cli.md: https with the CA file `ima serve --tls` prints.
  {
    command: 'export NODE_EXTRA_CA_CERTS="$CA_PATH"; ima generate "a fox over https" --model NB2 --json',
    shows: ['export NODE_EXTRA_CA_CERTS=<path>', 'NODE_EXTRA_CA_CERTS=<path>', 'export NODE_EXTRA_CA_CERTS=…'],
    where: 'cli',
    server: 'tls',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      const result = jsonOf(ran.stdout) as Record<string, unknown>
      expect(result.url).toMatch(/^https:\/\//)
      vars.HTTPS_URL = String(result.url)
    },
  },
  {
    command: 'curl --cacert "$CA_PATH" --fail --silent --show-error --output over-https.png "$HTTPS_URL" && echo saved',
    shows: ['curl --cacert <path>'],
    where: 'cli',
    server: 'tls',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout.trim()).toBe('saved')
      expectPng(join(vars.WORK_DIR ?? '', 'over-https.png'))
    },
  },
]

const DEMO_STEPS: Step[] = [
  {
    // The default task duration of the demo's embedded server, as a user runs it.
    command: 'npm run demo',
    where: 'demo',
    env: { IMA_LOCAL_TASK_MS: '' },
    check: (ran) => expectDemoRun(ran, /^SeeDream 4\.5 .*size 2048x2048/m, 'examples/output'),
  },
  {
    command: 'npm run demo -- --help',
    where: 'demo',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).toMatch(/Usage: npm run demo/)
      for (const variable of ['IMA_API_KEY', 'IMA_BASE_URL', 'IMA_POLL_INTERVAL_MS']) expect(ran.stdout).toContain(variable)
      demoHelp = ran.stdout
    },
  },
  {
    command: 'npm run demo -- "a lighthouse at dusk" --model doubao-seedream-4.5 --ratio 16:9',
    where: 'demo',
    check: (ran) => expectDemoRun(ran, /^SeeDream 4\.5 .*size 2560x1440/m, 'examples/output'),
  },
  {
    command: 'npm run demo -- "a castle at night" --model MJ --size 720p --out pictures',
    where: 'demo',
    check: (ran) => expectDemoRun(ran, /^Midjourney .*size 720p/m, 'pictures'),
  },
  {
    command: 'npx tsx examples/image-to-image.ts',
    where: 'repo',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).toMatch(/^Uploaded \d+ bytes as image\/png/m)
      expect(ran.stdout).toMatch(/^ {2}success +100%/m)
      const saved = /^Saved (\S+\.png)/m.exec(ran.stdout)?.[1] ?? ''
      expectPng(resolve(ROOT, saved))
    },
  },
  {
    command: 'echo "画一只猫，横图" | npx tsx examples/chat-bot.ts',
    where: 'repo',
    check: (ran) => {
      expect(ran.code, ran.stderr).toBe(0)
      expect(ran.stdout).toMatch(/\[bot · push \+ picture\]/)
    },
  },
]

/** Files the examples write into the repository's examples/output, removed afterwards. */
const writtenInRepo: string[] = []

/** The environment of a child: ours without the IMA_* variables a developer may have set (a real key!). */
function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('IMA_') && name !== 'NODE_EXTRA_CA_CERTS') env[name] = value
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined || value === '') delete env[name]
    else env[name] = value
  }
  return env
}

interface Child {
  output(): string
  waitFor(pattern: RegExp): Promise<void>
  interrupt(): void
  done: Promise<Ran>
}

/** Runs a command line in bash, in its own process group so Ctrl-C (and a timeout) reach every process of it. */
function shell(command: string, cwd: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn('bash', ['-c', command.replace(/(^|[;&|]\s*)npx ima\b/g, '$1ima')], { cwd, env, detached: true })
  let stdout = ''
  let stderr = ''
  const listeners = new Set<() => void>()
  const heard = () => listeners.forEach((listener) => listener())
  child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk), heard()))
  child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk), heard()))
  child.stdin.end()
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal)
    } catch {
      // already gone
    }
  }
  const timer = setTimeout(() => signalGroup('SIGKILL'), CHILD_TIMEOUT_MS)
  const done = new Promise<Ran>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer)
      heard()
      resolve({ code, stdout, stderr })
    })
  })
  return {
    output: () => `${stdout}${stderr}`,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(`${stdout}${stderr}`)) {
            listeners.delete(check)
            resolve()
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check)
            reject(new Error(`\`${command}\` ended before printing ${pattern}:\n${stdout}${stderr}`))
          }
        }
        listeners.add(check)
        check()
      }),
    interrupt: () => signalGroup('SIGINT'),
    done,
  }
}

/** A running `ima serve` and the variables it printed for "another terminal". */
interface Serve {
  child: Child
  env: Record<string, string>
}

async function startServe(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Serve> {
  const child = shell(command, cwd, env)
  await child.waitFor(/Ctrl-C to stop/)
  const printed: Record<string, string> = {}
  for (const line of child.output().split('\n')) {
    if (line.startsWith('{')) {
      // --json: the same variables under "env"
      const json = JSON.parse(line) as { env?: Record<string, string>; url: string; upload_url: string; api_key: string }
      Object.assign(printed, json.env ?? { IMA_BASE_URL: json.url, IMA_IM_BASE_URL: json.upload_url, IMA_API_KEY: json.api_key })
    }
    const exported = /^\s*export (.+)$/.exec(line)?.[1]
    for (const assignment of exported?.split(/\s+/) ?? []) {
      const [name, ...value] = assignment.split('=')
      if (name) printed[name] = value.join('=')
    }
  }
  return { child, env: printed }
}

let imaSubcommands: string[] = []
let shown: ShownCommand[] = []
let home = ''
let work = ''
/** PATH with the folder of the `ima` shim first. */
let pathWithIma = ''
const servers: Partial<Record<ServerName, Serve>> = {}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`)
  home = mkdtempSync(join(tmpdir(), 'ima-doc-home-'))
  work = mkdtempSync(join(tmpdir(), 'ima-doc-work-'))
  vars.WORK_DIR = work
  // Under the repository, so `npm run` finds its package.json; temp/ is ignored by git.
  mkdirSync(join(ROOT, 'temp'), { recursive: true })
  vars.DEMO_DIR = mkdtempSync(join(ROOT, 'temp/doc-commands-'))
  const bin = join(home, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'ima'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`)
  chmodSync(join(bin, 'ima'), 0o755)
  pathWithIma = `${bin}:${process.env.PATH ?? ''}`

  const help = await shell('ima --help', work, cliEnv({})).done
  // The subcommands, from the "Commands:" section of the help: `  generate [options] [prompt...]  …`.
  imaSubcommands = [...(help.stdout.split(/^Commands:$/m)[1] ?? '').matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1] ?? '')
  shown = shownCommands(imaSubcommands)

  const started = await Promise.all(Object.entries(SERVES).map(async ([name, command]) => [name, await startServe(command, cliEnv({}), work)] as const))
  Object.assign(servers, Object.fromEntries(started))
}, TEST_TIMEOUT_MS)

afterAll(async () => {
  for (const serve of Object.values(servers)) serve.child.interrupt()
  await Promise.all(Object.values(servers).map((serve) => serve.child.done))
  for (const file of writtenInRepo) rmSync(file, { force: true })
  if (vars.DEMO_DIR) rmSync(vars.DEMO_DIR, { recursive: true, force: true })
  for (const folder of [home, work]) if (folder) rmSync(folder, { recursive: true, force: true })
})

/** The environment of an `ima` command: the shim on the PATH, a temporary HOME, and the server's variables. */
function cliEnv(serverEnv: Record<string, string>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    PATH: pathWithIma,
    HOME: home,
    IMA_POLL_INTERVAL_MS: FALLBACK_POLL_INTERVAL_MS,
    ...serverEnv,
    ...vars,
    ...extra,
  })
}

async function runStep(step: Step): Promise<Ran> {
  const serve = servers[step.server ?? 'fast']
  let cwd = work
  let env: NodeJS.ProcessEnv
  if (step.where === 'cli') {
    const printed = { ...serve?.env }
    // The CA file is named in $CA_PATH only: the step's own `export NODE_EXTRA_CA_CERTS=…` is what makes https work.
    if (printed.NODE_EXTRA_CA_CERTS) printed.CA_PATH = printed.NODE_EXTRA_CA_CERTS
    delete printed.NODE_EXTRA_CA_CERTS
    env = cliEnv(printed, step.env)
    if (step.inRepo) cwd = ROOT
  } else {
    cwd = step.where === 'demo' ? (vars.DEMO_DIR ?? ROOT) : ROOT
    env = cleanEnv({ IMA_LOCAL_TASK_MS: String(DEMO_TASK_MS), ...step.env })
  }
  const child = shell(step.command, cwd, env)
  if (step.interruptWhen) {
    await child.waitFor(step.interruptWhen)
    child.interrupt()
  }
  const ran = await child.done
  if (step.where === 'repo') {
    for (const [, path = ''] of ran.stdout.matchAll(/^(?:Saved|No input image given: wrote a sample PNG to) (\S+?\.png)/gm)) writtenInRepo.push(resolve(ROOT, path))
  }
  return ran
}

describe('shell commands in the docs', () => {
  const steps = [...CLI_STEPS, ...DEMO_STEPS]

  it('are each run below or listed in NOT_RUN with a reason', () => {
    expect(imaSubcommands).toEqual(expect.arrayContaining(['generate', 'serve']))
    const served: string[] = Object.values(SERVES)
    const covered = new Set<string>([
      ...steps.flatMap((step) => step.shows ?? [step.command]),
      // Started by beforeAll (together, every option of the synopsis); stopped with Ctrl-C by the last test.
      'ima serve',
      'ima serve --tls',
      'ima serve [--port 0] [--host 127.0.0.1] [--progression time|polls] [--task-duration 3000] [--tls] [--cors] [--strict] [--json]',
      ...Object.keys(NOT_RUN),
    ])
    const asIma = (command: string) => command.replace(/^npx ima\b/, 'ima')
    const commandsRun = [...steps.map((step) => asIma(step.command)), ...served]
    // `npx ima`, `ima generate`, `ima prefs set` in the prose name a command: covered when a run starts with it, or a
    // command listed in NOT_RUN does (its reason says which test runs it: `ima worker` needs a Redis).
    const isMention = (command: string) => /^ima( [a-z-]+){0,2}$/.test(asIma(command)) && !covered.has(command)
    const startsWith = (command: string) => (other: string) => other === asIma(command) || other.startsWith(`${asIma(command)} `)
    const notRun = Object.keys(NOT_RUN).map(asIma)
    const missing = shown.filter(({ command }) =>
      isMention(command) ? !commandsRun.some(startsWith(command)) && !notRun.some(startsWith(command)) : !covered.has(command),
    )
    expect(missing, 'commands the docs show that are neither run here nor listed in NOT_RUN').toEqual([])
    const shownTexts = new Set(shown.map(({ command }) => command))
    const stale = [...covered].filter((command) => !shownTexts.has(command))
    expect(stale, 'listed here, but no longer shown by the docs').toEqual([])
    for (const [command, reason] of Object.entries(NOT_RUN)) expect(reason.length, command).toBeGreaterThan(10)
  })

  it.each(steps.map((step) => [step.command, step] as const))('%s', async (_command, step) => {
    step.check(await runStep(step))
  }, TEST_TIMEOUT_MS)

  it('the demo uses every flag its --help lists', () => {
    const flags = [...demoHelp.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((match) => match[1] ?? '')
    expect(flags).toEqual(expect.arrayContaining(['--model', '--size', '--ratio', '--out', '--help']))
    const demoCommands = DEMO_STEPS.filter((step) => step.command.startsWith('npm run demo')).map((step) => step.command)
    for (const flag of flags) expect(demoCommands.some((command) => command.includes(` ${flag}`)), flag).toBe(true)
  })

  it('ima serve prints the variables for another terminal and stops with 0 on Ctrl-C', async () => {
    for (const serve of Object.values(servers)) {
      expect(serve.env).toMatchObject({ IMA_BASE_URL: expect.stringMatching(/^https?:\/\/127\.0\.0\.1:\d+$/), IMA_API_KEY: expect.any(String) })
    }
    expect(servers.tls?.env.IMA_BASE_URL).toMatch(/^https:/)
    expect(servers.tls?.env.NODE_EXTRA_CA_CERTS).toBeTruthy()
    for (const serve of Object.values(servers)) serve.child.interrupt()
    for (const [name, serve] of Object.entries(servers)) {
      const stopped = await serve.child.done
      expect(stopped.code, `${SERVES[name as ServerName]}: ${stopped.stderr}`).toBe(0)
      expect(stopped.stderr).toMatch(/Stopped/)
    }
  }, TEST_TIMEOUT_MS)
})
