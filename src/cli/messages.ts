/**
 * Every sentence the CLI itself prints, in English and Chinese
 * (`--language zh`): progress, results, Ctrl-C, the commands' own lines and
 * the CLI's errors. One object per language with the same shape, so a line
 * added in one language and forgotten in the other is a type error. The
 * SDK's own messages (shown as they are, with the CLI's flag names) stay in
 * English.
 */
import type { ImaLanguage } from '../http/transport-options.js'
import type { LineIssue, LineProblem } from './batch/items.js'

/** Words and a next step, as an error shows them. */
export interface Sentence {
  message: string
  hint: string
}

/** What the progress line says. */
export interface ProgressFacts {
  label: string
  status: string
  elapsedSeconds: number
  percent: number
  fastest: number
  slowest: number
}

/** What the "task created" line says. */
export interface CreatedFacts {
  taskId: string
  model: string
  size: string | undefined
  points: number
  fastest: number
  slowest: number
}

/** What the quote line says. */
export interface QuoteFacts {
  model: string
  modelId: string
  version: string
  size: string | undefined
  totalPoints: number
  points: number
  n: number
  attributeId: number
  fastest: number
  slowest: number
}

/** Where an `ima batch` item stands in the run, for its line: `[index/total]`. */
export interface BatchItemFacts {
  index: number
  total: number
}

/** The lines of `ima batch`. */
export interface BatchWords {
  unreadable(file: string, reason: string): Sentence
  /** One problem of one line: `Line 3, prompt: is required…`. */
  lineIssue(issue: LineIssue): string
  /** The first problem and the other lines that have one; nothing was created. */
  badLines(first: string, otherLines: readonly number[]): Sentence
  quoteRefused(line: number, field: string | undefined, message: string): Sentence
  plan(facts: { images: number; lines: number; credits: number; done: number }): string
  planModel(facts: { model: string; images: number; credits: number }): string
  planResume(count: number): string
  planUnknown(count: number): string
  unknownItem(line: number, ref: string | undefined): string
  nothingToCreate(done: number, total: number): string
  orphan(facts: { line: number; state: string; taskId: string | undefined; ref: string | undefined }): string
  overBudget(credits: number, budget: number): Sentence
  confirm: string
  needYes: Sentence
  declined: Sentence
  locked(path: string, pid: number | undefined): Sentence
  lockLost(path: string): Sentence
  itemDone(facts: BatchItemFacts & { taskId: string; credit: number; target: string }): string
  itemFailed(facts: BatchItemFacts & { line: number; taskId: string | undefined; message: string }): string
  /** A line whose task exists but whose wait ended without a verdict (its deadline, an outage): collected by the next run. */
  itemPending(facts: BatchItemFacts & { line: number; taskId: string; message: string }): string
  itemUnknown(facts: BatchItemFacts & { line: number; ref: string | undefined }): string
  /** The cli-progress format: `{bar}`, `{percentage}`, `{value}`, `{total}`, `{done}`, `{running}`, `{failed}`, `{credits}` and `{left}` (the ETA; cli-progress's own `{eta}` is a bare number). */
  barFormat: string
  etaUnknown: string
  finished(facts: { done: number; total: number; credits: number; summary: string }): string
  unfinished(facts: { failed: number; pending: number; unknown: number; total: number; summary: string }): Sentence
  interrupted(facts: { done: number; total: number; running: number; summary: string; command: string }): Sentence
  summaryWriteFailed(path: string, reason: string): Sentence
}

/** What `ima worker`'s ready line says (never the key, never the Redis password). */
export interface WorkerReadyFacts {
  worker: string
  queue: string
  /** The Redis, without its password. */
  redis: string
  concurrency: number
  journal: string
  /** `--max-credits`, shared through the Redis; undefined: no budget. */
  budget: number | undefined
  /** `--max-creates-in-flight`, shared through the Redis; undefined: no limit but the jobs at a time. */
  createsInFlight: number | undefined
}

/** The lines of `ima batch --queue` and `ima worker`: the BullMQ queue on a Redis. */
export interface QueueWords {
  /** `--queue` is not a Redis URL. */
  badUrl(flag: string, shown: string): Sentence
  /** `--queue-name` is empty or holds a `:` (BullMQ's separator). */
  badName(name: string): Sentence
  /** bullmq, ioredis or unstorage is missing. */
  needsPackages(what: string, packages: readonly string[]): Sentence
  unreachable(redis: string, reason: string): Sentence
  /** `ima worker` without `--queue`. */
  workerNeedsQueue: Sentence
  /** A line an `ima batch` without `--queue` started (its task or ref is in the local journal). */
  localRow(facts: { line: number; taskId: string | undefined; ref: string | undefined }): Sentence
  /** A line that is a job of a queue, met by a run without `--queue` or with another `--queue-name`. */
  queueRow(facts: { line: number; queue: string; ref: string }): Sentence
  /** The job of a line was removed from the queue while it was waited for. */
  jobGone(jobId: string): string
  /** A line's job is gone, and the shared journal says its create was sent with no answer. */
  goneUnknown(ref: string): string
  /** The connection to the Redis failed (said once until it is back). */
  redisLost(redis: string, reason: string): string
  /** The connection to the Redis works again. */
  redisBack(redis: string): string
  /** A changed line's earlier job was still waiting in the queue: removed, so it is never made. */
  orphanWithdrawn(line: number, jobId: string): string
  /** A changed line's earlier job was taken by a worker already: it is made and charged all the same. */
  orphanTaken(line: number, ref: string): string
  /** No `ima worker` is connected to the queue when the batch starts waiting: its jobs wait until one starts. */
  noWorker(facts: { queue: string; redis: string }): string
  interrupted(facts: { done: number; total: number; jobs: number; queue: string; summary: string; command: string }): Sentence
  unfinished(facts: { failed: number; pending: number; unknown: number; total: number; summary: string }): Sentence
  workerReady(facts: WorkerReadyFacts): string
  jobDone(facts: { jobId: string; taskId: string; credits: number; resumed: boolean }): string
  jobRetried(facts: { jobId: string; attempt: number; attempts: number; reason: string }): string
  jobFailed(facts: { jobId: string; reason: string }): string
  workerError(message: string): string
  stopping(running: number): string
  stopped(facts: { done: number; failed: number }): string
  forced: string
}

/** Every line of the CLI, in one language. */
export interface CliWords {
  // The labels of an error report.
  labels: { error: string; next: string; details: string; task: string; reference: string; technical: string }
  points(value: number): string
  seconds(value: number | string): string
  /** A task status as the SDK names it (`pending`, `processing`, `success`, `failed`). */
  status(status: string): string
  progress(facts: ProgressFacts): string
  taskLabel(taskId: string): string
  taskCreated(facts: CreatedFacts): string
  uploaded(bytes: number, reused: boolean): string
  doneIn(facts: { seconds: number; model: string; points: number; taskId: string }): string
  doneTask(taskId: string): string
  saved(path: string): string
  couldNotOpen(target: string, reason: string): string

  interrupted(taskId: string | undefined): Sentence
  interruptedSaving(taskId: string, url: string, out: string): Sentence
  interruptedPending: Sentence
  detached: {
    intro(what: string): string
    reference(ref: string, sentAt: string | undefined): string
    waiting(seconds: number): string
    exitingNow(ref: string | undefined): string
    created(taskId: string): string[]
    refused: string[]
    unknown(noAnswer: boolean, ref: string | undefined): string[]
  }

  usageHint: string
  missingKey: Sentence
  saveFailed(taskId: string, target: string, reason: string, url: string): Sentence
  notAnOptionOf(flag: string, command: string): Sentence
  unknownOption(name: string): string
  unknownCommand(name: string): string
  didYouMean(suggestion: string, kind: 'option' | 'command'): string
  optionOfLaterCommand(flag: string, command: string): string
  envWholeNumber(name: string, min: number, value: string): string
  taskOf(taskId: string, detail: string): Sentence

  noPromptGenerate: string
  noPromptReference: Sentence
  sizesDisagree(size: string, extra: string): Sentence
  extraParamsNotJson(detail: string, example: string): Sentence
  extraParamsNotObject(got: string, example: string): Sentence
  extraParamsField(field: 'aspect_ratio' | 'size' | 'n', got: string): string

  modelsHeaders: readonly string[]
  taskTypeTitle(taskType: string): string
  quote(facts: QuoteFacts): string
  overBudget(points: number, budget: number): Sentence

  prefsHeaders: readonly string[]
  noSavedModel(userId: string, path: string): string
  savedIn(path: string): string
  whichModel: string
  cleared(types: readonly string[], userId: string, path: string): string

  journalHeaders: readonly string[]
  noId: string
  noTasks(which: 'pending' | 'unknown' | 'pending-or-unknown' | 'all', path: string): string
  unknownAdvice(count: number): string[]
  unknownLine(time: string, model: string, points: number, ref: string): string
  lateAnswerNote: string
  pendingAdvice(count: number): string

  whichTask: string
  idOrAllPending: string
  noPending(path: string, baseURL: string): string
  resuming(count: number, ids: string): string
  doneResumed(taskId: string, path: string | undefined): string
  resumedFailure(taskId: string, message: string, next: string): string
  stillRunning(taskId: string): string
  /** A journaled task the service answers 404 for: another key or base URL made it, or it does not exist. */
  unknownToService: { message: string; next: string }
  somePendingFailed: Sentence

  batch: BatchWords

  queue: QueueWords

  serve: {
    server: string
    key: string
    ca: string
    pollInterval: string
    anotherTerminal: string
    stop: string
    stopped: string
    leniency(count: number): string
    warning(message: string, where: string): string
    portInUse(port: number): Sentence
    hostRefused(host: string): Sentence
  }
}

const BATCH_PROBLEMS_EN: Record<LineProblem, (issue: LineIssue) => string> = {
  json: (issue) => `not valid JSON (${issue.detail ?? ''})`,
  object: (issue) => `must be a JSON object, got ${issue.detail ?? 'something else'}`,
  unknownField: () => 'is not a field (the fields: prompt, model, size, ratio or aspect_ratio, n, inputs or input_images, task_type, out or output)',
  required: () => 'is required: describe the image',
  text: (issue) => `must be text${issue.field === 'inputs' || issue.field === 'input_images' ? ' or a list of texts' : ''}, got ${issue.detail ?? ''}`,
  tooLong: (issue) => `is longer than ${issue.limit ?? ''} characters`,
  wholeNumber: (issue) => `must be a whole number from 1 to ${issue.limit ?? ''}, got ${issue.detail ?? ''}`,
  ratio: (issue) => `must look like 16:9, got ${issue.detail ?? ''}`,
  taskType: (issue) => `must be text_to_image or image_to_image, got ${issue.detail ?? ''}`,
  disagree: () => 'both spellings are given, with different values: give one',
  needsInputs: () => 'image_to_image needs at least one input image',
  noInputs: () => 'text_to_image takes no input images: set task_type to image_to_image, or leave it out',
  notFound: (issue) => `file not found: ${issue.detail ?? ''} (a path is read from the batch file's folder)`,
  outName: (issue) => `must be a file name inside --out, got ${issue.detail ?? ''}`,
  duplicateOut: (issue) => `would write the same file as line ${issue.detail ?? ''}: ${issue.file ?? ''} (with n, names get -2, -3…; case does not count)`,
  csvColumns: (issue) => `has more cells than the header has columns (${issue.detail ?? ''})`,
  csvQuote: () => 'a quoted cell is never closed',
  noPromptColumn: () => 'the header has no prompt column',
  empty: () => 'no lines to run',
}

const en: CliWords = {
  labels: { error: 'Error', next: 'Next', details: 'Details', task: 'Task', reference: 'Reference', technical: 'Technical' },
  points: (value) => `${value} pts`,
  seconds: (value) => `${value} s`,
  status: (status) => status,
  progress: ({ label, status, elapsedSeconds, percent, fastest, slowest }) =>
    `${label} · ${status} · ${elapsedSeconds} s · ${percent}% · usually ${fastest}–${slowest} s`,
  taskLabel: (taskId) => `Task ${taskId}`,
  taskCreated: ({ taskId, model, size, points, fastest, slowest }) =>
    `Task ${taskId} created: ${model}${size ? ` · ${size}` : ''} · ${points} pts · usually ${fastest}–${slowest} s`,
  uploaded: (bytes, reused) => `Uploaded an input image (${bytes} bytes${reused ? ', reused' : ''})`,
  doneIn: ({ seconds, model, points, taskId }) => `Done in ${seconds} s: ${model} · ${points} pts · task ${taskId}`,
  doneTask: (taskId) => `Done: task ${taskId}`,
  saved: (path) => `Saved ${path}`,
  couldNotOpen: (target, reason) => `Could not open ${target}: ${reason}`,

  interrupted: (taskId) =>
    taskId
      ? { message: `Interrupted. Task ${taskId} keeps running on the service`, hint: `Resume with: ima wait ${taskId}` }
      : { message: 'Interrupted before the create was sent: nothing was charged', hint: 'Nothing to resume; run the command again when you like' },
  interruptedSaving: (taskId, url, out) => ({
    message: `Interrupted while saving. Task ${taskId} is done: the image exists at ${url}`,
    hint: `Nothing needs re-creating; save it with: ima wait ${taskId} --out ${out || '<file>'}`,
  }),
  interruptedPending: { message: 'Interrupted. The pending tasks keep running on the service', hint: 'Resume them with: ima wait --all-pending' },
  detached: {
    intro: (what) => `Interrupted while the create was being sent: the task may have been created and charged${what ? ` (${what})` : ''}.`,
    reference: (ref, sentAt) => `Journal reference: ${ref}${sentAt ? `, sent at ${sentAt}` : ''}`,
    waiting: (seconds) => `Waiting up to ${seconds} s for the service's answer, so its task id is recorded in the journal — Ctrl-C again to exit now.`,
    exitingNow: (ref) => `Exiting now: the outcome stays unknown. \`ima tasks --unknown\` lists it${ref ? ` (ref ${ref})` : ''}.`,
    created: (taskId) => [
      `The answer arrived: task ${taskId} was created (it is charged) and is recorded in the journal.`,
      `Next: Resume with: ima wait ${taskId} (or ima wait --all-pending)`,
    ],
    refused: ['The answer arrived: the service did not create the task; nothing was charged.', 'Next: Run the command again when you like'],
    unknown: (noAnswer, ref) => [
      `${noAnswer ? 'No answer came' : 'The answer was lost'}: the task may exist and may be charged, but its id is unknown.`,
      `Next: Do not create it again before checking: \`ima tasks --unknown\` lists it; check your tasks and balance on the IMA site, or ask support with the time, model${ref ? ` and ref ${ref}` : ''}`,
    ],
  },

  usageHint: 'Run `ima --help` (or `ima <command> --help`) for the options',
  missingKey: {
    message: 'No API key: set IMA_API_KEY or pass --api-key',
    hint: 'Get a key at https://www.imaclaw.ai/imaclaw/apikey, then `export IMA_API_KEY=ima_…` (or run `ima serve` for a local test server and its key)',
  },
  saveFailed: (taskId, target, reason, url) => ({
    message: `Task ${taskId} succeeded, but its image could not be saved to ${target}: ${reason}`,
    hint: `Nothing needs re-creating: the image exists at ${url} — save it again with: ima wait ${taskId} --out <file>`,
  }),
  notAnOptionOf: (flag, command) => ({ message: `${flag} is not an option of ${command}`, hint: `Run \`${command} --help\` for its options` }),
  unknownOption: (name) => `Unknown option ${name}`,
  unknownCommand: (name) => `Unknown command ${name}`,
  didYouMean: (suggestion, kind) => `Did you mean ${suggestion}? (\`ima --help\` lists the ${kind}s)`,
  optionOfLaterCommand: (flag, command) => `${flag} is an option of ima ${command}: put it after the command name (ima ${command} … ${flag})`,
  envWholeNumber: (name, min, value) => `Expected ${name} to be a whole number ≥ ${min}, got "${value}"`,
  taskOf: (taskId, detail) => ({ message: `Task ${taskId}: ${detail}`, hint: `Resume with: ima wait ${taskId}` }),

  noPromptGenerate: 'Say what to draw: ima generate "a red fox in the snow"',
  noPromptReference: { message: '--prompt is required (or --list-models)', hint: 'e.g. ima --task-type text_to_image --prompt "a red fox" --output-json' },
  sizesDisagree: (size, extra) => ({ message: `--size ${size} and --extra-params size ${extra} disagree`, hint: 'Give the size once' }),
  extraParamsNotJson: (detail, example) => ({ message: `--extra-params is not valid JSON (${detail})`, hint: `Pass a JSON object in single quotes, e.g. ${example}` }),
  extraParamsNotObject: (got, example) => ({ message: `--extra-params must be a JSON object, got ${got}`, hint: `Pass a JSON object, e.g. ${example}` }),
  extraParamsField: (field, got) =>
    field === 'aspect_ratio'
      ? `--extra-params aspect_ratio must be a string like "16:9", got ${got}`
      : field === 'size'
        ? `--extra-params size must be a string like "2K", got ${got}`
        : `--extra-params n must be a whole number of at least 1 (the number of images, each charged), got ${got}`,

  modelsHeaders: ['Name', 'Model id', 'Version', 'Sizes (points)', 'Ratios', 'Time'],
  taskTypeTitle: (taskType) => taskType,
  quote: ({ model, modelId, version, size, totalPoints, points, n, attributeId, fastest, slowest }) =>
    `${model} (${modelId}, version ${version})${size ? ` at ${size}` : ''}: ${totalPoints} pts${n > 1 ? ` (${points} × ${n})` : ''} · attribute ${attributeId} · usually ${fastest}–${slowest} s`,
  overBudget: (points, budget) => ({
    message: `This picture costs ${points} pts, over --max-credits ${budget}`,
    hint: 'Pick a cheaper model or a smaller size (`ima models` lists the points), or raise --max-credits',
  }),

  prefsHeaders: ['Task type', 'Model', 'Model id', 'Points', 'Last used'],
  noSavedModel: (userId, path) => `No saved model for user "${userId}" in ${path}: the default (SeeDream 4.5) is used`,
  savedIn: (path) => `Saved in ${path}`,
  whichModel: 'Which model? ima prefs set "Nano Banana Pro"',
  cleared: (types, userId, path) => `Cleared ${types.join(' and ')} for user "${userId}" in ${path}`,

  journalHeaders: ['Time', 'State', 'Task', 'Model', 'Size', 'Points', 'Note'],
  noId: 'no id',
  noTasks: (which, path) =>
    `No ${{ pending: 'pending ', unknown: 'unknown ', 'pending-or-unknown': 'pending or unknown ', all: '' }[which]}tasks in the journal (${path})`,
  unknownAdvice: (count) => [
    `${count === 1 ? '1 create' : `${count} creates`} may have been charged, but no task id is known ` +
      '("unknown": no answer proved the outcome; "intent": the process stopped before any answer was recorded).',
    'Do not create them again before checking: look at your recent tasks and balance on the IMA site (https://www.imaclaw.ai), ' +
      'or ask support, giving the time, model and ref of each:',
  ],
  unknownLine: (time, model, points, ref) => `  ${time} · ${model} · ${points} pts · ref ${ref}`,
  lateAnswerNote: 'A late answer to a detached create is recorded here with its task id, if it arrived before its process exited.',
  pendingAdvice: (count) =>
    `${count === 1 ? '1 task is' : `${count} tasks are`} created but not finished: ima wait --all-pending resumes them (or ima wait <task-id>).`,

  whichTask: 'Which task? ima wait <task-id> (or ima wait --all-pending)',
  idOrAllPending: 'Give a task id or --all-pending, not both',
  noPending: (path, baseURL) => `No pending tasks in the journal (${path}) for ${baseURL}`,
  resuming: (count, ids) => `Resuming ${count === 1 ? '1 pending task' : `${count} pending tasks`}: ${ids}`,
  doneResumed: (taskId, path) => `Done: task ${taskId}${path ? `, saved ${path}` : ''}`,
  resumedFailure: (taskId, message, next) => `Task ${taskId}: ${message} — ${next}`,
  stillRunning: (taskId) => `still running, resume with: ima wait ${taskId}`,
  unknownToService: {
    message: 'the service does not know this task id with this API key and base URL',
    next: 'run again with the key and --base-url that created it (a task is found only with them); the journal keeps the entry meanwhile',
  },
  somePendingFailed: { message: 'Some pending tasks did not finish', hint: 'See the lines above; ima tasks lists the journal' },

  batch: {
    unreadable: (file, reason) => ({
      message: `Cannot read the batch file ${file}: ${reason}`,
      hint: 'Give a JSONL file (one JSON object per line, e.g. {"prompt":"a red fox","model":"NB2"}) or a .csv file with a header row',
    }),
    lineIssue: (issue) =>
      issue.line === 0 ? `The batch file has ${BATCH_PROBLEMS_EN[issue.problem](issue)}` : `Line ${issue.line}${issue.field ? `, ${issue.field}` : ''}: ${BATCH_PROBLEMS_EN[issue.problem](issue)}`,
    badLines: (first, otherLines) => ({
      message: `${first}${otherLines.length > 0 ? ` (and line${otherLines.length === 1 ? '' : 's'} ${otherLines.join(', ')})` : ''}`,
      hint: 'Fix the file and run the command again: nothing was quoted or created',
    }),
    quoteRefused: (line, field, message) => ({
      message: `Line ${line}${field ? `, ${field}` : ''}: ${message}`,
      hint: 'Fix the line (`ima models` lists the models, their sizes and ratios) and run the command again: nothing was created',
    }),
    plan: ({ images, lines, credits, done }) =>
      `${images === 1 ? '1 image' : `${images} images`} to make${images !== lines ? ` (${lines} line${lines === 1 ? '' : 's'})` : ''}, ${credits} credits in all; ${done} already done`,
    planModel: ({ model, images, credits }) => `  ${model}: ${images === 1 ? '1 image' : `${images} images`}, ${credits} credits`,
    planResume: (count) => `${count === 1 ? '1 line was' : `${count} lines were`} created before and not finished: waited for, not created again`,
    planUnknown: (count) =>
      `${count === 1 ? '1 line' : `${count} lines`} may have been created before, with no task id known: not created again (\`ima tasks --unknown\` lists them)`,
    unknownItem: (line, ref) => `  line ${line}${ref ? `: ref ${ref}` : ': no journal reference (the run stopped while sending it)'}`,
    nothingToCreate: (done, total) => `Nothing to create: ${done} of ${total} already done`,
    orphan: ({ line, state, taskId, ref }) =>
      `Line ${line} changed or went since the last run; its earlier row (${state}${taskId ? `, task ${taskId}` : ref ? `, ref ${ref}` : ''}) is dropped from the summary${taskId ? ` — ima wait ${taskId} still finds it` : ref ? ' — `ima tasks --unknown` lists it' : ''}`,
    overBudget: (credits, budget) => ({
      message: `What is left to make costs ${credits} credits, over --max-credits ${budget}`,
      hint: 'Raise --max-credits, or remove or change lines (lines already done are not counted): nothing was created',
    }),
    confirm: 'Go ahead? [y/N] ',
    needYes: {
      message: 'ima batch asks before spending, and stdin is not a terminal: pass --yes to go ahead',
      hint: 'Check the total it printed (the same command without --yes prints it), then run it with --yes: nothing was created',
    },
    declined: { message: 'Nothing was created', hint: 'Run the command again when you like' },
    locked: (path, pid) => ({
      message: `Another ima batch${pid !== undefined ? ` (pid ${pid})` : ''} is running with the summary ${path}`,
      hint: `Wait for it to end, then run the same command again: it creates nothing twice. Another --summary would start the batch afresh and pay for every line again. ${pid !== undefined ? 'A run that is stopped (Ctrl-Z) or asleep still holds it: resume it with fg, or end it' : 'The lock of a run that was killed goes stale within 15 s'}`,
    }),
    lockLost: (path) => ({
      message: `Another ima batch took the summary ${path} while this run was stopped or asleep, so this run stopped creating: no line is created twice`,
      hint: 'Let the other run finish, then run the same command again: it creates only what is still missing. Lines this run had in flight are in the summary',
    }),
    itemDone: ({ index, total, taskId, credit, target }) => `[${index}/${total}] done ${taskId} ${credit} credits → ${target}`,
    itemFailed: ({ index, total, line, taskId, message }) => `[${index}/${total}] failed line ${line}${taskId ? ` (${taskId})` : ''}: ${message}`,
    itemPending: ({ index, total, line, taskId, message }) =>
      `[${index}/${total}] still running line ${line} (${taskId}): ${message} — the same command collects it, never creates it again`,
    itemUnknown: ({ index, total, line, ref }) =>
      `[${index}/${total}] unknown line ${line}: the create may have been charged${ref ? ` (ref ${ref})` : ''}; it is not created again — \`ima tasks --unknown\``,
    barFormat: '{bar} {percentage}% {value}/{total} | done {done}, running {running}, failed {failed} | {credits} credits | ETA {left}',
    etaUnknown: '–',
    finished: ({ done, total, credits, summary }) => `${done} of ${total} done, ${credits} credits spent by this run. Summary: ${summary}`,
    unfinished: ({ failed, pending, unknown, total, summary }) => ({
      message: `${failed + pending + unknown} of ${total} did not finish: ${failed} failed, ${pending > 0 ? `${pending} still running on the service, ` : ''}${unknown} unknown (see ${summary})`,
      hint:
        'Run the same command again: done lines are skipped and created tasks are waited for, never created again; a failed line without a task id is created again. ' +
        'An unknown line may have been charged and is never created again: check it with `ima tasks --unknown`, then delete its row from the summary if you want it made again',
    }),
    interrupted: ({ done, total, running, summary, command }) => ({
      message: `Interrupted: ${done} of ${total} done${running > 0 ? `; ${running} created and still running on the service (their task ids are in ${summary})` : ''}`,
      hint: `Resume with the same command: ${command}`,
    }),
    summaryWriteFailed: (path, reason) => ({
      message: `The summary ${path} could not be written (${reason}): no more lines were started`,
      hint: 'Free the disk or fix the folder, then run the same command again: what was written is resumed',
    }),
  },

  queue: {
    badUrl: (flag, shown) => ({
      message: `${flag} must be a Redis URL (redis://host:6379, rediss:// for TLS, redis://:password@host:6379/0), got ${shown}`,
      hint: 'Give the Redis every ima worker of the queue connects to, e.g. --queue redis://127.0.0.1:6379',
    }),
    badName: (name) => ({
      message: `--queue-name must be a name without ":" (BullMQ's separator), got "${name}"`,
      hint: 'e.g. --queue-name pictures; the batch and its workers must use the same',
    }),
    needsPackages: (what, packages) => ({
      message: `${what} needs ${packages.join(', ')}, not installed here (optional peers of ima-open-sdk)`,
      hint: `npm install ${packages.join(' ')} (next to ima-open-sdk), then run the command again: nothing was created`,
    }),
    unreachable: (redis, reason) => ({
      message: `Cannot reach the Redis at ${redis}: ${reason}`,
      hint: 'Start it, or check the URL, its password and the network: nothing was enqueued or created',
    }),
    workerNeedsQueue: {
      message: 'ima worker needs --queue: the Redis of the queue, e.g. --queue redis://127.0.0.1:6379',
      hint: 'Give the same --queue (and --queue-name) as the ima batch --queue that fills it',
    },
    localRow: ({ line, taskId, ref }) => ({
      message: `Line ${line} was started by ima batch without --queue (${taskId ? `task ${taskId}` : ref ? `ref ${ref}` : 'no task id'}): its create is in this machine's journal, not in the queue's`,
      hint: 'Finish the batch with the same command without --queue (it never creates a line twice); nothing was enqueued. Another --summary would start the batch afresh and pay for every line again',
    }),
    queueRow: ({ line, queue, ref }) => ({
      message: `Line ${line} is a job of the queue ${queue} (${ref})`,
      hint: `Run the batch with --queue <the same Redis> --queue-name ${queue}: its result is collected from there, never created again; nothing was created`,
    }),
    jobGone: (jobId) => `job ${jobId} was removed from the queue while it was waited for; run the batch again: its task is found in the shared journal, not created again`,
    redisLost: (redis, reason) => `Lost the connection to the Redis at ${redis} (${reason}): reconnecting — the jobs go on in the workers, and nothing is created twice`,
    redisBack: (redis) => `Connected to the Redis at ${redis} again`,
    orphanWithdrawn: (line, jobId) => `Line ${line}'s earlier job ${jobId} was still waiting in the queue: withdrawn, so it is never made or charged`,
    orphanTaken: (line, ref) =>
      `Line ${line}'s earlier job is being made by a worker already, so it will be charged: its task is in the shared journal under ref ${ref} (Redis, base ima:journal)`,
    goneUnknown: (ref) =>
      `its job is no longer in the queue, and the shared journal says its create was sent with no answer (ref ${ref}): it may have been created and charged, so it is never sent again — look the ref up in the journal (Redis, base ima:journal) or your IMA account before creating it anew`,
    noWorker: ({ queue, redis }) =>
      `No ima worker is connected to the queue ${queue} yet: its jobs wait until one starts (ima worker --queue ${redis}${queue === 'ima-generations' ? '' : ` --queue-name ${queue}`} on any machine that should make them)`,
    interrupted: ({ done, total, jobs, queue, summary, command }) => ({
      message: `Interrupted: ${done} of ${total} done${jobs > 0 ? `; ${jobs === 1 ? '1 job goes' : `${jobs} jobs go`} on in the workers of the queue ${queue} (the job ids are in ${summary})` : ''}`,
      hint: `Collect the results with the same command (it enqueues nothing twice): ${command}`,
    }),
    unfinished: ({ failed, pending, unknown, total, summary }) => ({
      message: `${failed + pending + unknown} of ${total} did not finish: ${failed} failed, ${pending > 0 ? `${pending} still running on the service, ` : ''}${unknown} unknown (see ${summary})`,
      hint:
        'Run the same command again: done lines are skipped; a failed job is retried with the same job id only when its failure proves nothing was created (or its task exists, to be waited for). ' +
        'An unknown one may have been charged and is never retried: its row says which ref to look up in the shared journal',
    }),
    workerReady: ({ worker, queue, redis, concurrency, journal, budget, createsInFlight }) =>
      `ima worker ${worker}: ready — queue ${queue} on ${redis}, ${concurrency} job${concurrency === 1 ? '' : 's'} at a time, journal ${journal}` +
      `${budget === undefined ? ', no budget of its own' : `, at most ${budget} credits shared through the Redis`}` +
      `${createsInFlight === undefined ? '' : `, at most ${createsInFlight} create${createsInFlight === 1 ? '' : 's'} in flight across the workers`} (Ctrl-C or SIGTERM to stop: running jobs finish first)`,
    jobDone: ({ jobId, taskId, credits, resumed }) => `done ${jobId} → ${taskId}, ${credits} credits${resumed ? ' (created before: waited for, not created again)' : ''}`,
    jobRetried: ({ jobId, attempt, attempts, reason }) => `attempt ${attempt} of ${attempts} of ${jobId} failed, retried (never paid twice): ${reason}`,
    jobFailed: ({ jobId, reason }) => `failed ${jobId}: ${reason}`,
    workerError: (message) => `ima worker: ${message}`,
    stopping: (running) =>
      running === 0
        ? 'Stopping: no job is running'
        : `Stopping: waiting for ${running === 1 ? 'the running job' : `the ${running} running jobs`} to finish — Ctrl-C again to leave ${running === 1 ? 'it' : 'them'} to another worker`,
    stopped: ({ done, failed }) => `Stopped: ${done} done, ${failed} failed by this worker.`,
    forced:
      'Exiting now: another worker takes the running jobs over once their lock lapses (30 s) and waits for their tasks, never creating them again; a job whose create was being sent may end unknown.',
  },

  serve: {
    server: 'Local IMA server:',
    key: 'Test key:        ',
    ca: 'CA certificate:  ',
    pollInterval: 'Poll interval:   ',
    anotherTerminal: "In another terminal (or an app's environment):",
    stop: 'Ctrl-C to stop.',
    stopped: 'Stopped.',
    leniency: (count) => `${count === 1 ? '1 leniency' : `${count} leniencies`} in all (the Leniency lines above): the real service may answer those requests differently`,
    warning: (message, where) => `Leniency: ${message} (${where})`,
    portInUse: (port) => ({ message: `Port ${port} is in use`, hint: 'Pick another with --port, or leave --port out for a free one' }),
    hostRefused: (host) => ({
      message: `--host ${host} is not this machine: ima serve listens on loopback only`,
      hint: 'The local server takes a fixed test key and makes no real images, so it is never exposed to the network — use --host 127.0.0.1 (the default), localhost or ::1',
    }),
  },
}

const STATUS_ZH: Record<string, string> = { pending: '排队中', processing: '生成中', success: '完成', failed: '失败' }

const BATCH_PROBLEMS_ZH: Record<LineProblem, (issue: LineIssue) => string> = {
  json: (issue) => `不是有效的 JSON（${issue.detail ?? ''}）`,
  object: (issue) => `必须是 JSON 对象，实际为 ${issue.detail ?? '其他值'}`,
  unknownField: () => '不是可用的字段（可用字段：prompt、model、size、ratio 或 aspect_ratio、n、inputs 或 input_images、task_type、out 或 output）',
  required: () => '必填：描述要画的图',
  text: (issue) => `必须是文本${issue.field === 'inputs' || issue.field === 'input_images' ? '或文本列表' : ''}，实际为 ${issue.detail ?? ''}`,
  tooLong: (issue) => `超过 ${issue.limit ?? ''} 个字符`,
  wholeNumber: (issue) => `必须是 1 到 ${issue.limit ?? ''} 的整数，实际为 ${issue.detail ?? ''}`,
  ratio: (issue) => `应为 16:9 这样的比例，实际为 ${issue.detail ?? ''}`,
  taskType: (issue) => `必须是 text_to_image 或 image_to_image，实际为 ${issue.detail ?? ''}`,
  disagree: () => '两种写法都给了且值不同：只给一个',
  needsInputs: () => 'image_to_image 至少需要一张输入图片',
  noInputs: () => 'text_to_image 不接受输入图片：把 task_type 设为 image_to_image，或不写 task_type',
  notFound: (issue) => `找不到文件：${issue.detail ?? ''}（路径相对于批量文件所在的文件夹）`,
  outName: (issue) => `必须是 --out 文件夹里的文件名，实际为 ${issue.detail ?? ''}`,
  duplicateOut: (issue) => `会与第 ${issue.detail ?? ''} 行写同一个文件：${issue.file ?? ''}（有 n 时文件名加 -2、-3…；不分大小写）`,
  csvColumns: (issue) => `单元格比表头的列多（${issue.detail ?? ''}）`,
  csvQuote: () => '有一个带引号的单元格没有闭合',
  noPromptColumn: () => '表头没有 prompt 列',
  empty: () => '没有要运行的行',
}

const zh: CliWords = {
  labels: { error: '错误', next: '建议', details: '详情', task: '任务', reference: '参考', technical: '技术细节' },
  points: (value) => `${value} 积分`,
  seconds: (value) => `${value} 秒`,
  status: (status) => STATUS_ZH[status] ?? status,
  progress: ({ label, status, elapsedSeconds, percent, fastest, slowest }) =>
    `${label} · ${STATUS_ZH[status] ?? status} · ${elapsedSeconds} 秒 · ${percent}% · 通常 ${fastest}–${slowest} 秒`,
  taskLabel: (taskId) => `任务 ${taskId}`,
  taskCreated: ({ taskId, model, size, points, fastest, slowest }) =>
    `任务 ${taskId} 已创建：${model}${size ? ` · ${size}` : ''} · ${points} 积分 · 通常 ${fastest}–${slowest} 秒`,
  uploaded: (bytes, reused) => `已上传一张输入图片（${bytes} 字节${reused ? '，复用' : ''}）`,
  doneIn: ({ seconds, model, points, taskId }) => `完成，用时 ${seconds} 秒：${model} · ${points} 积分 · 任务 ${taskId}`,
  doneTask: (taskId) => `完成：任务 ${taskId}`,
  saved: (path) => `已保存 ${path}`,
  couldNotOpen: (target, reason) => `无法打开 ${target}：${reason}`,

  interrupted: (taskId) =>
    taskId
      ? { message: `已中断。任务 ${taskId} 仍在服务端运行`, hint: `继续等待：ima wait ${taskId}` }
      : { message: '在发送创建请求前已中断：没有扣积分', hint: '无需恢复，需要时再运行一次命令' },
  interruptedSaving: (taskId, url, out) => ({
    message: `保存时已中断。任务 ${taskId} 已完成，图片在 ${url}`,
    hint: `无需重新创建，可这样保存：ima wait ${taskId} --out ${out || '<文件>'}`,
  }),
  interruptedPending: { message: '已中断。未完成的任务仍在服务端运行', hint: '继续等待：ima wait --all-pending' },
  detached: {
    intro: (what) => `创建请求发送途中被中断：任务可能已创建并扣积分${what ? `（${what}）` : ''}。`,
    reference: (ref, sentAt) => `任务记录参考号：${ref}${sentAt ? `，发送于 ${sentAt}` : ''}`,
    waiting: (seconds) => `最多再等 ${seconds} 秒服务端的回应，以便把任务 id 记入任务记录 —— 再按一次 Ctrl-C 立即退出。`,
    exitingNow: (ref) => `立即退出：结果仍未知。\`ima tasks --unknown\` 能找到它${ref ? `（参考 ${ref}）` : ''}。`,
    created: (taskId) => [`回应已到：任务 ${taskId} 已创建（已扣积分），并已记入任务记录。`, `建议：继续等待：ima wait ${taskId}（或 ima wait --all-pending）`],
    refused: ['回应已到：服务端没有创建任务，没有扣积分。', '建议：需要时再运行一次命令'],
    unknown: (noAnswer, ref) => [
      `${noAnswer ? '没有等到回应' : '回应丢失'}：任务可能已创建并扣积分，但不知道它的 id。`,
      `建议：先别重新创建：\`ima tasks --unknown\` 能找到它；可在 IMA 网站查看任务和余额，或带上时间、模型${ref ? `和参考号 ${ref}` : ''}联系客服`,
    ],
  },

  usageHint: '运行 `ima --help`（或 `ima <命令> --help`）查看选项',
  missingKey: {
    message: '没有 API 密钥：请设置 IMA_API_KEY 或传入 --api-key',
    hint: '在 https://www.imaclaw.ai/imaclaw/apikey 获取密钥，然后 `export IMA_API_KEY=ima_…`（或运行 `ima serve` 启动本地测试服务器和它的密钥）',
  },
  saveFailed: (taskId, target, reason, url) => ({
    message: `任务 ${taskId} 已成功，但图片无法保存到 ${target}：${reason}`,
    hint: `无需重新创建：图片在 ${url} —— 可这样再保存一次：ima wait ${taskId} --out <文件>`,
  }),
  notAnOptionOf: (flag, command) => ({ message: `${flag} 不是 ${command} 的选项`, hint: `运行 \`${command} --help\` 查看它的选项` }),
  unknownOption: (name) => `未知选项 ${name}`,
  unknownCommand: (name) => `未知命令 ${name}`,
  didYouMean: (suggestion, kind) => `是不是想用 ${suggestion}？（\`ima --help\` 列出所有${kind === 'option' ? '选项' : '命令'}）`,
  optionOfLaterCommand: (flag, command) => `${flag} 是 ima ${command} 的选项：请放在命令名之后（ima ${command} … ${flag}）`,
  envWholeNumber: (name, min, value) => `${name} 应为 ≥ ${min} 的整数，实际为 "${value}"`,
  taskOf: (taskId, detail) => ({ message: `任务 ${taskId}：${detail}`, hint: `继续等待：ima wait ${taskId}` }),

  noPromptGenerate: '请说明要画什么：ima generate "雪地里的一只红狐狸"',
  noPromptReference: { message: '需要 --prompt（或 --list-models）', hint: '例如 ima --task-type text_to_image --prompt "一只红狐狸" --output-json' },
  sizesDisagree: (size, extra) => ({ message: `--size ${size} 与 --extra-params 里的 size ${extra} 不一致`, hint: '尺寸只给一次' }),
  extraParamsNotJson: (detail, example) => ({ message: `--extra-params 不是有效的 JSON（${detail}）`, hint: `请用单引号传入 JSON 对象，例如 ${example}` }),
  extraParamsNotObject: (got, example) => ({ message: `--extra-params 必须是 JSON 对象，实际为 ${got}`, hint: `请传入 JSON 对象，例如 ${example}` }),
  extraParamsField: (field, got) =>
    field === 'aspect_ratio'
      ? `--extra-params 的 aspect_ratio 应为 "16:9" 这样的字符串，实际为 ${got}`
      : field === 'size'
        ? `--extra-params 的 size 应为 "2K" 这样的字符串，实际为 ${got}`
        : `--extra-params 的 n 应为至少为 1 的整数（图片张数，每张都计费），实际为 ${got}`,

  modelsHeaders: ['名称', '模型 id', '版本', '尺寸（积分）', '比例', '用时'],
  taskTypeTitle: (taskType) => (taskType === 'image_to_image' ? '图生图 (image_to_image)' : '文生图 (text_to_image)'),
  quote: ({ model, modelId, version, size, totalPoints, points, n, attributeId, fastest, slowest }) =>
    `${model}（${modelId}，版本 ${version}）${size ? ` ${size}` : ''}：${totalPoints} 积分${n > 1 ? `（${points} × ${n}）` : ''} · 规则 ${attributeId} · 通常 ${fastest}–${slowest} 秒`,
  overBudget: (points, budget) => ({
    message: `这张图需要 ${points} 积分，超过了 --max-credits ${budget}`,
    hint: '换个更便宜的模型或更小的尺寸（`ima models` 列出积分），或调高 --max-credits',
  }),

  prefsHeaders: ['任务类型', '模型', '模型 id', '积分', '上次使用'],
  noSavedModel: (userId, path) => `${path} 里没有用户 "${userId}" 保存的模型：使用默认模型（SeeDream 4.5）`,
  savedIn: (path) => `已保存到 ${path}`,
  whichModel: '哪个模型？ima prefs set "Nano Banana Pro"',
  cleared: (types, userId, path) => `已清除 ${path} 里用户 "${userId}" 的 ${types.join(' 和 ')}`,

  journalHeaders: ['时间', '状态', '任务', '模型', '尺寸', '积分', '备注'],
  noId: '无 id',
  noTasks: (which, path) =>
    `任务记录（${path}）里没有${{ pending: '未完成的', unknown: '结果未知的', 'pending-or-unknown': '未完成或结果未知的', all: '' }[which]}任务`,
  unknownAdvice: (count) => [
    `有 ${count} 个创建请求可能已扣积分，但不知道任务 id（"unknown"：没有回应能证明结果；"intent"：进程在收到任何回应前就停止了）。`,
    '重新创建前请先确认：在 IMA 网站（https://www.imaclaw.ai）查看最近的任务和余额，或联系客服，并提供每一个的时间、模型和参考号：',
  ],
  unknownLine: (time, model, points, ref) => `  ${time} · ${model} · ${points} 积分 · 参考 ${ref}`,
  lateAnswerNote: '脱离等待的创建请求如果在进程退出前收到了迟到的回应，它的任务 id 会记在这里。',
  pendingAdvice: (count) => `有 ${count} 个任务已创建但未完成：ima wait --all-pending 继续等待它们（或 ima wait <任务 id>）。`,

  whichTask: '哪个任务？ima wait <任务 id>（或 ima wait --all-pending）',
  idOrAllPending: '任务 id 和 --all-pending 只能给一个',
  noPending: (path, baseURL) => `任务记录（${path}）里没有 ${baseURL} 上未完成的任务`,
  resuming: (count, ids) => `继续等待 ${count} 个未完成的任务：${ids}`,
  doneResumed: (taskId, path) => `完成：任务 ${taskId}${path ? `，已保存 ${path}` : ''}`,
  resumedFailure: (taskId, message, next) => `任务 ${taskId}：${message} —— ${next}`,
  stillRunning: (taskId) => `仍在运行，继续等待：ima wait ${taskId}`,
  unknownToService: {
    message: '用当前的 API 密钥和服务地址，服务端不认识这个任务 id',
    next: '换用创建它的密钥和 --base-url 再运行（只有用它们才能找到任务）；任务日志会一直保留这一条',
  },
  somePendingFailed: { message: '有些未完成的任务没有完成', hint: '见上面的各行；ima tasks 列出任务记录' },

  batch: {
    unreadable: (file, reason) => ({
      message: `无法读取批量文件 ${file}：${reason}`,
      hint: '请给出 JSONL 文件（每行一个 JSON 对象，例如 {"prompt":"一只红狐狸","model":"NB2"}）或带表头的 .csv 文件',
    }),
    lineIssue: (issue) =>
      issue.line === 0 ? `批量文件${BATCH_PROBLEMS_ZH[issue.problem](issue)}` : `第 ${issue.line} 行${issue.field ? ` ${issue.field}` : ''}：${BATCH_PROBLEMS_ZH[issue.problem](issue)}`,
    badLines: (first, otherLines) => ({
      message: `${first}${otherLines.length > 0 ? `（另有第 ${otherLines.join('、')} 行）` : ''}`,
      hint: '修改文件后再运行一次：没有询价，也没有创建任何任务',
    }),
    quoteRefused: (line, field, message) => ({
      message: `第 ${line} 行${field ? ` ${field}` : ''}：${message}`,
      hint: '修改这一行（`ima models` 列出模型、尺寸和比例）后再运行一次：没有创建任何任务',
    }),
    plan: ({ images, lines, credits, done }) =>
      `要生成 ${images} 张图${images !== lines ? `（${lines} 行）` : ''}，共 ${credits} 积分；已完成 ${done} 行`,
    planModel: ({ model, images, credits }) => `  ${model}：${images} 张，${credits} 积分`,
    planResume: (count) => `有 ${count} 行之前已创建但未完成：继续等待，不会重新创建`,
    planUnknown: (count) => `有 ${count} 行之前可能已创建，但不知道任务 id：不会重新创建（\`ima tasks --unknown\` 列出它们）`,
    unknownItem: (line, ref) => `  第 ${line} 行${ref ? `：参考号 ${ref}` : '：没有任务记录参考号（发送时运行中断了）'}`,
    nothingToCreate: (done, total) => `没有要创建的：${total} 行里已完成 ${done} 行`,
    orphan: ({ line, state, taskId, ref }) =>
      `第 ${line} 行自上次运行后已修改或删除；它之前的记录（${state}${taskId ? `，任务 ${taskId}` : ref ? `，参考号 ${ref}` : ''}）已从汇总里去掉${taskId ? ` —— ima wait ${taskId} 仍能找到它` : ref ? ' —— `ima tasks --unknown` 能找到它' : ''}`,
    overBudget: (credits, budget) => ({
      message: `剩下要生成的需要 ${credits} 积分，超过了 --max-credits ${budget}`,
      hint: '调高 --max-credits，或删除、修改一些行（已完成的行不计入）：没有创建任何任务',
    }),
    confirm: '开始吗？[y/N] ',
    needYes: {
      message: 'ima batch 在花积分前会先确认，而 stdin 不是终端：请加 --yes 开始',
      hint: '先看它打印的总数（不加 --yes 运行同一命令即可看到），再加 --yes 运行：没有创建任何任务',
    },
    declined: { message: '没有创建任何任务', hint: '需要时再运行一次命令' },
    locked: (path, pid) => ({
      message: `另一个 ima batch${pid !== undefined ? `（进程 ${pid}）` : ''}正在使用汇总文件 ${path}`,
      hint: `等它结束，再运行同一命令：不会把任何一行创建两次。换一个 --summary 会从头开始这个批量，每一行都再付一次费。${pid !== undefined ? '被暂停（Ctrl-Z）或休眠的运行仍持有这个锁：用 fg 让它继续，或结束它' : '被强行结束的运行留下的锁 15 秒内失效'}`,
    }),
    lockLost: (path) => ({
      message: `本次运行被暂停或休眠期间，另一个 ima batch 接管了汇总文件 ${path}，所以本次运行已停止创建：不会有任何一行被创建两次`,
      hint: '等另一个运行结束，再运行同一命令：只会创建还缺的部分。本次运行进行中的行已记在汇总文件里',
    }),
    itemDone: ({ index, total, taskId, credit, target }) => `[${index}/${total}] 完成 ${taskId} ${credit} 积分 → ${target}`,
    itemFailed: ({ index, total, line, taskId, message }) => `[${index}/${total}] 失败 第 ${line} 行${taskId ? `（${taskId}）` : ''}：${message}`,
    itemPending: ({ index, total, line, taskId, message }) => `[${index}/${total}] 仍在生成 第 ${line} 行（${taskId}）：${message} —— 再运行同一命令即可取回，不会重新创建`,
    itemUnknown: ({ index, total, line, ref }) =>
      `[${index}/${total}] 结果未知 第 ${line} 行：可能已扣积分${ref ? `（参考号 ${ref}）` : ''}；不会重新创建 —— \`ima tasks --unknown\``,
    barFormat: '{bar} {percentage}% {value}/{total} | 完成 {done}，进行中 {running}，失败 {failed} | {credits} 积分 | 剩余 {left}',
    etaUnknown: '–',
    finished: ({ done, total, credits, summary }) => `${total} 行里完成 ${done} 行，本次运行花了 ${credits} 积分。汇总：${summary}`,
    unfinished: ({ failed, pending, unknown, total, summary }) => ({
      message: `${total} 行里有 ${failed + pending + unknown} 行没有完成：失败 ${failed}，${pending > 0 ? `仍在服务端生成 ${pending}，` : ''}结果未知 ${unknown}（见 ${summary}）`,
      hint:
        '再运行同一命令：已完成的行会跳过，已创建的任务继续等待，不会重新创建；没有任务 id 的失败行会重新创建。' +
        '结果未知的行可能已扣积分，不会重新创建：先用 `ima tasks --unknown` 确认，再从汇总里删掉它那一行即可重新生成',
    }),
    interrupted: ({ done, total, running, summary, command }) => ({
      message: `已中断：${total} 行里完成 ${done} 行${running > 0 ? `；${running} 个已创建的任务仍在服务端运行（任务 id 在 ${summary} 里）` : ''}`,
      hint: `继续：再运行同一命令：${command}`,
    }),
    summaryWriteFailed: (path, reason) => ({
      message: `汇总文件 ${path} 无法写入（${reason}）：没有再开始新的行`,
      hint: '清理磁盘或修好文件夹后再运行同一命令：已写入的会继续',
    }),
  },

  queue: {
    badUrl: (flag, shown) => ({
      message: `${flag} 必须是 Redis 地址（redis://主机:6379，TLS 用 rediss://，带密码 redis://:密码@主机:6379/0），实际为 ${shown}`,
      hint: '给出这个队列的所有 ima worker 都连接的 Redis，例如 --queue redis://127.0.0.1:6379',
    }),
    badName: (name) => ({
      message: `--queue-name 必须是不含 ":"（BullMQ 的分隔符）的名称，实际为 "${name}"`,
      hint: '例如 --queue-name pictures；批量和它的 worker 必须用同一个名称',
    }),
    needsPackages: (what, packages) => ({
      message: `${what} 需要 ${packages.join('、')}，这里没有安装（ima-open-sdk 的可选依赖）`,
      hint: `npm install ${packages.join(' ')}（装在 ima-open-sdk 旁边）后再运行一次：没有创建任何任务`,
    }),
    unreachable: (redis, reason) => ({
      message: `无法连接 ${redis} 上的 Redis：${reason}`,
      hint: '启动它，或检查地址、密码和网络：没有加入任何作业，也没有创建任何任务',
    }),
    workerNeedsQueue: {
      message: 'ima worker 需要 --queue：队列所在的 Redis，例如 --queue redis://127.0.0.1:6379',
      hint: '给出与往队列里加作业的 ima batch --queue 相同的 --queue（和 --queue-name）',
    },
    localRow: ({ line, taskId, ref }) => ({
      message: `第 ${line} 行是由不带 --queue 的 ima batch 开始的（${taskId ? `任务 ${taskId}` : ref ? `参考号 ${ref}` : '没有任务 id'}）：它的创建记录在本机的任务记录里，不在队列的任务记录里`,
      hint: '用不带 --queue 的同一命令完成这个批量（不会把一行创建两次）；没有加入任何作业。换一个 --summary 会从头开始这个批量，每一行都再付一次费',
    }),
    queueRow: ({ line, queue, ref }) => ({
      message: `第 ${line} 行是队列 ${queue} 的作业（${ref}）`,
      hint: `用 --queue <同一个 Redis> --queue-name ${queue} 运行这个批量：结果从那里取回，不会重新创建；没有创建任何任务`,
    }),
    jobGone: (jobId) => `等待期间作业 ${jobId} 被从队列里删除了；再运行一次批量：它的任务会在共享的任务记录里找到，不会重新创建`,
    redisLost: (redis, reason) => `与 ${redis} 上的 Redis 的连接断开了（${reason}）：正在重连——作业在 worker 里继续，不会有任何任务被创建两次`,
    redisBack: (redis) => `已重新连上 ${redis} 上的 Redis`,
    orphanWithdrawn: (line, jobId) => `第 ${line} 行之前的作业 ${jobId} 还在队列里等待：已撤下，不会生成，也不会扣积分`,
    orphanTaken: (line, ref) => `第 ${line} 行之前的作业已被某个 ima worker 接手，会照常生成并扣积分：它的任务在共享的任务记录里，参考号 ${ref}（Redis，base ima:journal）`,
    goneUnknown: (ref) =>
      `它的作业已不在队列里，共享的任务记录显示它的创建请求已发出但没有收到回答（参考号 ${ref}）：可能已经创建并扣费，所以不会再发送——请先在任务记录（Redis，base ima:journal）或你的 IMA 账户里查这个参考号，再决定是否重新创建`,
    noWorker: ({ queue, redis }) =>
      `队列 ${queue} 还没有连接任何 ima worker：作业会一直等到有 worker 启动（在要生成图片的机器上运行 ima worker --queue ${redis}${queue === 'ima-generations' ? '' : ` --queue-name ${queue}`}）`,
    interrupted: ({ done, total, jobs, queue, summary, command }) => ({
      message: `已中断：${total} 行里完成 ${done} 行${jobs > 0 ? `；${jobs} 个作业仍在队列 ${queue} 的 worker 里运行（作业 id 在 ${summary} 里）` : ''}`,
      hint: `用同一命令取回结果（不会重复加入作业）：${command}`,
    }),
    unfinished: ({ failed, pending, unknown, total, summary }) => ({
      message: `${total} 行里有 ${failed + pending + unknown} 行没有完成：失败 ${failed}，${pending > 0 ? `仍在服务端生成 ${pending}，` : ''}结果未知 ${unknown}（见 ${summary}）`,
      hint:
        '再运行同一命令：已完成的行会跳过；失败的作业只有在失败原因证明没有创建任务（或任务已存在、只需等待）时，才会用同一个作业 id 重试。' +
        '结果未知的作业可能已扣积分，不会重试：它那一行写明了要在共享任务记录里查的参考号',
    }),
    workerReady: ({ worker, queue, redis, concurrency, journal, budget, createsInFlight }) =>
      `ima worker ${worker}：已就绪 —— 队列 ${queue}，Redis ${redis}，同时运行 ${concurrency} 个作业，任务记录 ${journal}` +
      `${budget === undefined ? '，没有自己的积分上限' : `，所有 worker 通过 Redis 共享最多 ${budget} 积分`}` +
      `${createsInFlight === undefined ? '' : `，所有 worker 同时最多发送 ${createsInFlight} 个创建请求`}（按 Ctrl-C 或发送 SIGTERM 停止：运行中的作业先完成）`,
    jobDone: ({ jobId, taskId, credits, resumed }) => `完成 ${jobId} → ${taskId}，${credits} 积分${resumed ? '（之前已创建：只等待，没有重新创建）' : ''}`,
    jobRetried: ({ jobId, attempt, attempts, reason }) => `${jobId} 的第 ${attempt}/${attempts} 次尝试失败，将重试（不会重复扣费）：${reason}`,
    jobFailed: ({ jobId, reason }) => `失败 ${jobId}：${reason}`,
    workerError: (message) => `ima worker：${message}`,
    stopping: (running) => (running === 0 ? '正在停止：没有运行中的作业' : `正在停止：等待 ${running} 个运行中的作业完成 —— 再按一次 Ctrl-C 则交给其他 worker 接手`),
    stopped: ({ done, failed }) => `已停止：这个 worker 完成 ${done} 个，失败 ${failed} 个。`,
    forced: '立即退出：运行中的作业在锁过期后（30 秒）由其他 worker 接手并等待其任务，不会再创建一次；正在发送创建请求的作业可能变为结果未知。',
  },

  serve: {
    server: '本地 IMA 服务器：',
    key: '测试密钥：      ',
    ca: 'CA 证书：       ',
    pollInterval: '轮询间隔：      ',
    anotherTerminal: '在另一个终端（或应用的环境变量）里：',
    stop: '按 Ctrl-C 停止。',
    stopped: '已停止。',
    leniency: (count) => `共 ${count} 处宽松处理（见上面"宽松处理"各行）：真实服务对这些请求的处理可能不同`,
    warning: (message, where) => `宽松处理：${message}（${where}）`,
    portInUse: (port) => ({ message: `端口 ${port} 已被占用`, hint: '用 --port 换一个端口，或不加 --port 自动选一个空闲端口' }),
    hostRefused: (host) => ({
      message: `--host ${host} 不是本机地址：ima serve 只监听本机回环地址`,
      hint: '本地服务器使用固定的测试密钥、不生成真实图片，因此不对网络开放 —— 请用 --host 127.0.0.1（默认）、localhost 或 ::1',
    }),
  },
}

/**
 * The CLI's words in a language.
 *
 * @example
 * ```ts
 * say(io, wordsFor('zh').doneTask('task_1')) // 完成：任务 task_1
 * ```
 */
export function wordsFor(language: ImaLanguage | undefined): CliWords {
  return language === 'zh' ? zh : en
}
