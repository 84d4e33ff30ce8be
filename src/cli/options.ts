/**
 * The options of `ima`'s commands, as commander `Option`s, and the values
 * they parse to (camelCased by commander: `--api-key` → `apiKey`). Only
 * declarations: nothing here loads the SDK, so `ima --help` stays cheap.
 */
import { InvalidArgumentError, Option } from 'commander'
import type { ImaLanguage } from '../http/transport-options.js'
import { TASK_TYPES, type TaskType } from '../schemas/task-type.js'

const TASK_TYPE_CHOICES: readonly TaskType[] = TASK_TYPES
const LANGUAGE_CHOICES: readonly ImaLanguage[] = ['en', 'zh']

/**
 * An option parser for a whole number from `min` to `max`. commander turns
 * the refusal into "option '--limit <n>' argument '0' is invalid. Expected …",
 * which names the flag; `ima` reports it as a usage error (exit 2).
 */
function wholeNumber(min: number, max?: number): (value: string) => number {
  return (value) => {
    const number = Number(value.trim())
    if (value.trim() === '' || !Number.isInteger(number) || number < min || (max !== undefined && number > max)) {
      throw new InvalidArgumentError(`Expected a whole number ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`}.`)
    }
    return number
  }
}

/**
 * An option parser that refuses an empty value. `--model "$MODEL"` with the
 * variable unset passes `""`: read as "no model", it paid for the default
 * model, one the user never asked for. A usage error (exit 2) instead, before
 * anything is spent; leaving the flag out still means the default.
 */
function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('Expected a value, got an empty one (an unset shell variable?): leave the flag out for the default.')
  return value
}

/** An option parser that keeps every value of a repeated flag, in order (`--image a.png --image b.png`). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/**
 * {@link collect} for input images. commander takes the word after a flag
 * as its value even when it is another flag, so `--input-images --output-json`
 * would read `--output-json` as an image and drop the flag: refused instead
 * (a usage error, exit 2). A file whose name starts with `--` is `./--name`.
 */
function collectImages(value: string, previous: string[] | undefined): string[] {
  if (/^--[a-z]/i.test(value)) throw new InvalidArgumentError(`Expected an image path or URL, got the flag ${value}: give the image before the next flag (a file named so is ./${value}).`)
  return collect(value, previous)
}

/** What the options every command takes parse to. */
export interface PresentationOptions {
  language?: ImaLanguage
  verbose?: boolean
}

/** `--language` and `--verbose`: every command takes them, so a script can pass them to all. */
export function presentationOptions(): Option[] {
  return [
    new Option('--language <language>', 'Language of every line printed and of product labels (default: en)').choices(LANGUAGE_CHOICES),
    new Option('--verbose', 'Add technical detail to errors (never the key)'),
  ]
}

/** `--api-key`, for the commands that call the service and for `ima serve` (the key it accepts). */
function apiKeyOption(description = 'API key (default: IMA_API_KEY). Never printed'): Option {
  return new Option('--api-key <key>', description)
}

/** What the shared connection options parse to. */
export interface ConnectionOptions extends PresentationOptions {
  apiKey?: string
  baseUrl?: string
  uploadBaseUrl?: string
  pollInterval?: number
  journal?: string
}

/**
 * Options of every command that calls the service or reads its journal
 * (and of `ima prefs`, so the same flags can be passed to every command).
 */
export function connectionOptions(): Option[] {
  return [
    apiKeyOption(),
    new Option('--base-url <url>', 'API host (default: IMA_BASE_URL, else https://api.imastudio.com)'),
    new Option('--upload-base-url <url>', 'Upload host (default: IMA_IM_BASE_URL, else https://imapi.liveme.com)'),
    ...presentationOptions(),
    new Option('--poll-interval <ms>', "Poll every this many ms instead of the model's schedule (default: IMA_POLL_INTERVAL_MS; ima serve prints one for its server)").argParser(
      wholeNumber(1),
    ),
    // A test knob: documented in docs/cli.md, left out of --help.
    new Option('--journal <path>', 'Task journal file (env IMA_JOURNAL_PATH, else ~/.openclaw/memory/ima_tasks.jsonl)').hideHelp(),
  ]
}

/** What the options of a waiting command parse to. */
export interface WaitingOptions {
  /** Seconds. */
  timeout?: number
  quiet?: boolean
}

/** Options of the commands that wait for a task. */
export function waitingOptions(): Option[] {
  return [
    new Option('--timeout <seconds>', 'Give up waiting after this many seconds (default: 600); the task may still finish').argParser(wholeNumber(1)),
    new Option('--quiet', 'No progress on stderr'),
  ]
}

/** What `--prefs-file` parses to. */
export interface PrefsFileOptions {
  prefsFile?: string
}

/** The option that points the preference store elsewhere (tests, several profiles). */
export function prefsFileOptions(): Option[] {
  return [new Option('--prefs-file <path>', "Preferences file (default: IMA_PREFS_FILE, else ~/.openclaw/memory/ima_prefs.json, the skills' file)")]
}

/** `--user-id`, whose saved model a command reads or writes. */
function userIdOption(description: string): Option {
  return new Option('--user-id <id>', description).default('default')
}

/** `--task-type`, refused by commander unless it is one of the two task types. */
function taskTypeOption(description: string): Option {
  return new Option('--task-type <type>', description).choices(TASK_TYPE_CHOICES)
}

/** What the reference script's flags parse to (`ima` with no command name). */
export interface ReferenceOptions extends ConnectionOptions, WaitingOptions, PrefsFileOptions {
  taskType?: TaskType
  modelId?: string
  versionId?: string
  prompt?: string
  inputImages?: string[]
  size?: string
  extraParams?: string
  userId: string
  listModels?: boolean
  outputJson?: boolean
}

/** The reference script's flags, flag for flag (docs/cli.md), then the shared ones. */
export function referenceOptions(): Option[] {
  return [
    taskTypeOption('Task type (default: image_to_image with --input-images, else text_to_image)'),
    new Option('--model-id <id>', "Model id (or name, alias, tier); default: the user's saved model, else SeeDream 4.5").argParser(nonEmpty),
    new Option('--version-id <id>', 'A specific version (default: the newest)').argParser(nonEmpty),
    new Option('--prompt <text>', 'What to draw'),
    // Variadic, and repeatable: `--input-images a.png b.png --input-images https://…` collects all three.
    new Option('--input-images <path-or-url...>', 'Input images, URLs or local paths (several values, repeatable)').argParser(collectImages),
    new Option('--size <size>', 'Size, e.g. 1K 2K 4K 512px').argParser(nonEmpty),
    new Option('--extra-params <json>', 'JSON object: aspect_ratio, size, n, or any other parameter').argParser(nonEmpty),
    userIdOption('Whose saved model to use and update'),
    new Option('--list-models', 'List the models of --task-type and exit'),
    new Option('--output-json', 'Print the result as one JSON object on stdout'),
    ...waitingOptions(),
    ...prefsFileOptions(),
    ...connectionOptions(),
  ]
}

/** What the options describing a picture parse to (`ima generate`, `ima quote`). */
export interface PictureOptions {
  model?: string
  size?: string
  ratio?: string
  image?: string[]
  n?: number
  taskType?: TaskType
  maxCredits?: number
}

/** Options of generating commands that describe the picture (shared with `ima quote`). */
export function pictureOptions(): Option[] {
  return [
    new Option('--model <model>', 'Model id, name, alias (NB Pro, MJ…) or tier (budget, premium…)').argParser(nonEmpty),
    new Option('--size <size>', 'Size, e.g. 1K 2K 4K 512px').argParser(nonEmpty),
    new Option('--ratio <w:h>', 'Aspect ratio, e.g. 16:9').argParser(nonEmpty),
    new Option('--image <path-or-url>', 'Input image, path or https URL (repeat for several): image to image').argParser(collectImages),
    new Option('--n <count>', 'Number of images (each is charged; default 1)').argParser(wholeNumber(1)),
    taskTypeOption('Task type (default: image_to_image with --image)'),
    new Option('--max-credits <points>', 'Refuse, before sending, a task that costs more points').argParser(wholeNumber(0)),
  ]
}

/**
 * `--out`, with or without a value. Alone it stands for "." (the current
 * folder): the default file name is used there.
 */
function outOption(description: string): Option {
  return new Option('--out [file]', description).preset('.')
}

/** What `ima generate`'s options parse to. */
export interface GenerateOptions extends PictureOptions, WaitingOptions, PrefsFileOptions, ConnectionOptions {
  out?: string
  open?: boolean
  json?: boolean
  userId: string
}

/** `ima generate`'s own options, then the picture's and the shared ones. */
export function generateOptions(): Option[] {
  return [
    ...pictureOptions(),
    outOption('Save the image: a file, a folder, or nothing for <prompt>-<task id>.png here'),
    new Option('--open', 'Open the result when done'),
    new Option('--json', 'Print one JSON object on stdout (task_id, url, cover_url, model_id, model_name, credit, path)'),
    userIdOption('Whose saved model to use when --model is left out, and to update'),
    ...waitingOptions(),
    ...prefsFileOptions(),
    ...connectionOptions(),
  ]
}

/** What `ima quote`'s options parse to. */
export interface QuoteOptions extends PictureOptions, ConnectionOptions {
  json?: boolean
}

/** `ima quote`'s options: the picture's, `--json` and the connection's. */
export function quoteOptions(): Option[] {
  return [...pictureOptions(), new Option('--json', 'Print one JSON object on stdout'), ...connectionOptions()]
}

/** What `ima batch`'s options parse to. */
export interface BatchOptions extends WaitingOptions, PrefsFileOptions, ConnectionOptions {
  concurrency: number
  maxCredits?: number
  /** A folder: every result is saved there. */
  out?: string
  summary?: string
  yes?: boolean
  json?: boolean
  /** A Redis URL: the lines are jobs of that BullMQ queue, run by `ima worker`s. */
  queue?: string
  queueName: string
}

/** The BullMQ queue's name when none is given (`DEFAULT_GENERATION_QUEUE_NAME`, not imported: nothing here loads the SDK). */
const DEFAULT_QUEUE_NAME = 'ima-generations'

/** `--queue` and `--queue-name`: the Redis and the queue `ima batch --queue` and `ima worker` share. */
function queueOptions(queueDescription: string): Option[] {
  return [
    new Option('--queue <redis-url>', queueDescription),
    new Option('--queue-name <name>', 'The BullMQ queue (the same for the batch and its workers)').default(DEFAULT_QUEUE_NAME),
  ]
}

/** `ima batch`'s own options, then the waiting, preference and connection ones (as `ima generate`). */
export function batchOptions(): Option[] {
  return [
    new Option('--concurrency <n>', 'Generations at the same time').argParser(wholeNumber(1, 32)).default(4),
    new Option('--max-credits <points>', 'Budget of the whole batch: refuse it, before anything is created, when what is left costs more').argParser(wholeNumber(0)),
    new Option('--out <dir>', 'Save every result into this folder (default: only record the URLs)'),
    new Option('--summary <file>', 'The summary (and state) file, one JSON row per line of the input (default: <file>.summary.jsonl)'),
    new Option('--yes', 'Start without asking (required when stdin is not a terminal)'),
    new Option('--json', 'Print the final summary as one JSON object on stdout'),
    ...queueOptions('Run the lines as jobs of a BullMQ queue on this Redis (redis://host:6379), made by `ima worker`s on any machine'),
    ...waitingOptions(),
    ...prefsFileOptions(),
    ...connectionOptions(),
  ]
}

/** What `ima worker`'s options parse to. */
export interface WorkerOptions extends ConnectionOptions {
  queue?: string
  queueName: string
  concurrency: number
  maxCredits?: number
  maxCreatesInFlight?: number
}

/** `ima worker`'s options: the queue, how many jobs at once, the shared budget, and the connection's. */
export function workerOptions(): Option[] {
  return [
    ...queueOptions('The Redis of the queue (redis://host:6379): also holds the shared task journal and --max-credits'),
    new Option('--concurrency <n>', 'Jobs this worker runs at once').argParser(wholeNumber(1, 256)).default(4),
    new Option('--max-credits <points>', 'Budget shared through the Redis by every worker given one: refuse a create that would pass it').argParser(wholeNumber(0)),
    new Option('--max-creates-in-flight <n>', 'At most this many creates sent and not yet answered, across every worker given it (a lease in the Redis)').argParser(wholeNumber(1, 1000)),
    ...connectionOptions(),
  ]
}

/** What `ima models`'s options parse to. */
export interface ModelsOptions extends ConnectionOptions {
  taskType?: TaskType
  json?: boolean
}

/** `ima models`'s options. */
export function modelsOptions(): Option[] {
  return [taskTypeOption('Only this task type (default: both)'), new Option('--json', 'Print a JSON array on stdout'), ...connectionOptions()]
}

/** What `ima wait`'s options parse to. */
export interface WaitOptions extends WaitingOptions, ConnectionOptions {
  allPending?: boolean
  out?: string
  open?: boolean
  json?: boolean
}

/** `ima wait`'s options. */
export function waitOptions(): Option[] {
  return [
    new Option('--all-pending', 'Wait for every task the journal holds as created but not finished (ima tasks --pending)'),
    outOption('Save the image: a file, a folder, or nothing for task-<id>.png here (a folder with --all-pending)'),
    new Option('--open', 'Open the result when done'),
    new Option('--json', 'Print one JSON object on stdout (task_id, url, cover_url, urls, path); an array with --all-pending'),
    ...waitingOptions(),
    ...connectionOptions(),
  ]
}

/** What `ima tasks`'s options parse to. */
export interface TasksOptions extends ConnectionOptions {
  pending?: boolean
  unknown?: boolean
  limit?: number
  json?: boolean
}

/** `ima tasks`'s options. */
export function tasksOptions(): Option[] {
  return [
    new Option('--pending', 'Only tasks created but not finished (ima wait --all-pending resumes them)'),
    new Option('--unknown', 'Only creates whose outcome is unknown: they may be charged, and have no task id'),
    new Option('--limit <n>', 'At most this many entries').argParser(wholeNumber(1)),
    new Option('--json', 'Print the journal entries as one JSON array on stdout'),
    ...connectionOptions(),
  ]
}

/** What the options of `ima prefs get|set|clear` parse to. */
export interface PrefsOptions extends PrefsFileOptions, ConnectionOptions {
  userId: string
  taskType?: TaskType
  json?: boolean
}

/** Options of every `ima prefs` command: whose preference, which task type, which file. */
function prefsOptions(): Option[] {
  return [
    userIdOption('Whose preference'),
    taskTypeOption('One task type (default: both for get/clear, text_to_image for set)'),
    ...prefsFileOptions(),
  ]
}

/** `ima prefs get`'s options; the connection's are accepted (and unused: no request is made). */
export function prefsGetOptions(): Option[] {
  return [...prefsOptions(), new Option('--json', 'Print one JSON object on stdout'), ...connectionOptions()]
}

/** `ima prefs set`'s options: the model is resolved against the live list, so it calls the service. */
export function prefsSetOptions(): Option[] {
  return [...prefsOptions(), ...connectionOptions()]
}

/** `ima prefs clear`'s options; the connection's are accepted (and unused: no request is made). */
export function prefsClearOptions(): Option[] {
  return [...prefsOptions(), ...connectionOptions()]
}

/** What `ima serve`'s options parse to. */
export interface ServeOptions extends PresentationOptions {
  apiKey?: string
  port?: number
  host?: string
  progression?: 'time' | 'polls'
  taskDuration?: number
  tls?: boolean
  cors?: boolean
  strict?: boolean
  json?: boolean
}

/** `ima serve`'s options. */
export function serveOptions(): Option[] {
  return [
    new Option('--port <port>', 'Port (default: a free one)').argParser(wholeNumber(0, 65_535)),
    new Option('--host <host>', 'Loopback interface: 127.0.0.1 (default), localhost or ::1; anything else is refused'),
    new Option('--progression <mode>', 'Tasks finish after --task-duration (time, default) or one phase per poll').choices(['time', 'polls']),
    new Option('--task-duration <ms>', 'Milliseconds from create to result (default: 3000)').argParser(wholeNumber(0)),
    new Option('--tls', 'Serve https with a certificate made at start-up, and print the file to trust (NODE_EXTRA_CA_CERTS)'),
    new Option('--cors', 'Answer browsers\' CORS checks (any origin), for a web app calling the server from a page or a worker'),
    new Option('--strict', 'Refuse what the service leniently accepts (each with its warning code), instead of taking it with a warning'),
    new Option(
      '--json',
      'Print {"url","upload_url","api_key","poll_interval_ms","env",…} (and "ca_path" with --tls) as one JSON line on stdout, then each leniency as a JSON line',
    ),
    apiKeyOption('The test key the server accepts (default: ima_local_test_key)'),
    ...presentationOptions(),
  ]
}

/** What the options of `ima mcp` parse to. */
export interface McpOptions extends ConnectionOptions, PrefsFileOptions {
  /** Serve Streamable HTTP on this loopback port instead of stdio (0: a free one). */
  http?: number
}

/** Options of `ima mcp`: the connection options, the preferences file, and `--http`. */
export function mcpOptions(): Option[] {
  return [
    new Option('--http <port>', 'Serve Streamable HTTP on http://127.0.0.1:<port>/mcp instead of stdio (0: a free port)').argParser(wholeNumber(0, 65_535)),
    ...connectionOptions(),
    ...prefsFileOptions(),
  ]
}
