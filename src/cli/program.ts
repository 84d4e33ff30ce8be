/**
 * The `ima` command tree, on commander: every command with its options and
 * help, each command's code loaded only when it runs. With no command name,
 * `ima` takes the reference script's flags (docs/cli.md).
 */
import { Command, type Option, type OutputConfiguration } from 'commander'
import { SDK_VERSION } from '../version.js'
import { lazyAction, type CliEnv } from './command.js'
import { CliUsageError } from './errors.js'
import type { CliIO } from './io.js'
import { wordsFor } from './messages.js'
import {
  batchOptions,
  generateOptions,
  mcpOptions,
  modelsOptions,
  prefsClearOptions,
  prefsGetOptions,
  prefsSetOptions,
  quoteOptions,
  referenceOptions,
  serveOptions,
  tasksOptions,
  waitOptions,
  workerOptions,
} from './options.js'

function withOptions(command: Command, options: readonly Option[]): Command {
  for (const option of options) command.addOption(option)
  return command
}

/** Help and commander's own output to the CLI's streams; its error lines are left to `main`, which reports them in ima's words. */
function outputTo(io: CliIO): OutputConfiguration {
  const widthOf = (stream: unknown) => {
    const { isTTY, columns } = stream as { isTTY?: boolean; columns?: number }
    return isTTY && columns ? columns : 80
  }
  return {
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
    getOutHelpWidth: () => widthOf(io.stdout),
    getErrHelpWidth: () => widthOf(io.stderr),
    outputError: () => undefined,
  }
}

/**
 * commander's own error for a mistyped command name, did-you-mean included.
 * commander raises it only for a parent with no action of its own, and
 * `ima` has one (the reference flags), so the word is checked against a bare
 * list of the same command names.
 */
function unknownCommandError(program: Command, word: string, language: CliEnv['report']['language']): unknown {
  const names = new Command(program.name()).exitOverride().showSuggestionAfterError().configureOutput({ outputError: () => undefined })
  for (const command of program.commands) names.command(command.name())
  try {
    names.parse([word], { from: 'user' })
  } catch (error) {
    return error
  }
  return new CliUsageError(wordsFor(language).unknownCommand(word))
}

/** The `ima` program: parse with `parseAsync(argv, { from: 'user' })`; it throws commander's errors (`exitOverride`). */
export function createProgram(env: CliEnv): Command {
  const program = new Command('ima')
    .description("Generate images with the IMA Open API. With no command, ima takes the reference script's flags (docs/cli.md)")
    .version(SDK_VERSION, '-v, --version', 'Print the version')
    .helpOption('-h, --help', 'Show this help')
    .helpCommand('help [command]', 'Show the help of a command')
    // The reference flags are ima's own options. Positional: read up to the command name, so
    // `ima generate --size 2K` is generate's --size (options before the name are handed on: command.ts).
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput(outputTo(env.io))
  withOptions(program, referenceOptions())

  // Commands made with .command() inherit the settings above.
  withOptions(program.command('generate'), generateOptions())
    .description('Generate an image: ima generate "a lighthouse at dusk" --ratio 16:9 --out')
    .argument('[prompt...]', 'What to draw (several words are joined)')
    .action(lazyAction(env, async () => (await import('./commands/generate.js')).run))
  withOptions(program.command('batch'), batchOptions())
    .description('Generate one image per line of a JSONL or CSV file: quoted first, resumable, never created twice')
    .argument('<file>', 'JSONL (one {"prompt": …} per line) or .csv with a header row')
    .action(lazyAction(env, async () => (await import('./commands/batch.js')).run))
  withOptions(program.command('worker'), workerOptions())
    .description('Run the jobs of `ima batch --queue` from a Redis (BullMQ), until Ctrl-C or SIGTERM: start one on each machine that shares the work')
    .action(lazyAction(env, async () => (await import('./commands/worker.js')).run))
  withOptions(program.command('models'), modelsOptions())
    .description('List models: sizes with points, ratios, usual time')
    .action(lazyAction(env, async () => (await import('./commands/models.js')).run))
  withOptions(program.command('quote'), quoteOptions())
    .description('Show what a picture would cost, without creating it')
    .argument('[prompt...]', 'What to draw (does not change the price)')
    .action(lazyAction(env, async () => (await import('./commands/quote.js')).run))
  withOptions(program.command('wait'), waitOptions())
    .description('Wait for a task by its id (resume after Ctrl-C or a time-out), or for every pending task')
    .argument('[task-id]', 'The task id printed when the task was created')
    .action(lazyAction(env, async () => (await import('./commands/wait.js')).run))
  withOptions(program.command('tasks'), tasksOptions())
    .description('List the task journal, newest first: every create, its task id and how it ended')
    .action(lazyAction(env, async () => (await import('./commands/tasks.js')).run))

  const prefs = program.command('prefs').description('Show, save or clear the model used when none is named')
  withOptions(prefs.command('get'), prefsGetOptions())
    .description('Show the saved models')
    .action(lazyAction(env, async () => (await import('./commands/prefs.js')).runGet))
  withOptions(prefs.command('set'), prefsSetOptions())
    .description('Save a model: ima prefs set "NB Pro" [--task-type image_to_image]')
    .argument('[model...]', 'Model id, name, alias or tier')
    .action(lazyAction(env, async () => (await import('./commands/prefs.js')).runSet))
  withOptions(prefs.command('clear'), prefsClearOptions())
    .description('Forget the saved models: the default is used again')
    .action(lazyAction(env, async () => (await import('./commands/prefs.js')).runClear))

  withOptions(program.command('mcp'), mcpOptions())
    .description('Serve the image tools to agents over MCP (stdio; --http for Streamable HTTP): configured by IMA_API_KEY, IMA_MAX_CREDITS, IMA_OUTPUT_DIR… (docs/mcp.md)')
    .action(lazyAction(env, async () => (await import('./commands/mcp.js')).run))

  withOptions(program.command('serve'), serveOptions())
    .description('Start the local IMA server (no key, no credits) and print its URL and key')
    .action(lazyAction(env, async () => (await import('./commands/serve.js')).run))

  // Set last, so the commands above still refuse extra words: here a word is a mistyped command.
  const reference = lazyAction(env, async () => (await import('./commands/compat.js')).run)
  program.allowExcessArguments().action(async (...params: unknown[]) => {
    const [word] = program.args
    if (word !== undefined) throw unknownCommandError(program, word, env.report.language)
    await reference(...params)
  })
  return program
}
