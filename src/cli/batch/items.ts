/**
 * The lines of an `ima batch` file, read and checked before anything is
 * spent: JSONL (one object per line) or CSV (by the `.csv` extension, a
 * header row, `inputs` separated by `|`). Each item is known by its line
 * number and a hash of what it generates ({@link itemKey}), so an edited
 * line is a new item. Pure: no file is read here but through `exists`.
 */
import { createHash } from 'node:crypto'
import { isAbsolute, normalize, sep } from 'node:path'
import { MAX_IMAGES_PER_TASK, MAX_PROMPT_LENGTH } from '../../schemas/inputs.js'
import { TASK_TYPES, type TaskType } from '../../schemas/task-type.js'
import { numberedFileName } from '../files.js'

/** The column names a line may have (both spellings of the three that have two). */
export const BATCH_FIELDS = ['prompt', 'model', 'size', 'ratio', 'aspect_ratio', 'n', 'inputs', 'input_images', 'task_type', 'out', 'output'] as const
export type BatchField = (typeof BATCH_FIELDS)[number]

/** What is wrong with a line, as a code the command puts in words (messages.ts). */
export type LineProblem =
  | 'json'
  | 'object'
  | 'unknownField'
  | 'required'
  | 'text'
  | 'tooLong'
  | 'wholeNumber'
  | 'ratio'
  | 'taskType'
  | 'disagree'
  | 'needsInputs'
  | 'noInputs'
  | 'notFound'
  | 'outName'
  | 'duplicateOut'
  | 'csvColumns'
  | 'csvQuote'
  | 'noPromptColumn'
  | 'empty'

/** One problem of one line: its number (1-based, as an editor shows it), the field, and what. */
export interface LineIssue {
  line: number
  field: string | undefined
  problem: LineProblem
  /** What the words need: the bad value, a file name, the other line. */
  detail?: string
  /** The bound a value broke (most images per task, longest prompt). */
  limit?: number
  /** The file two lines would both write. */
  file?: string
}

/** One generation of the batch, as the line asked for it. */
export interface BatchItem {
  /** Line number in the file (1-based; a CSV record that spans lines: its first line). */
  line: number
  /** Hash of what the line generates (not of `out`): see {@link itemKey}. */
  key: string
  prompt: string
  model: string | undefined
  size: string | undefined
  ratio: string | undefined
  n: number
  /** Input images as written: https URLs or paths (relative to the batch file's folder). */
  inputs: string[]
  taskType: TaskType
  /** The result's file name inside `--out`, when the line names one. */
  out: string | undefined
}

/** The parameters the key is made of. */
export type KeyedParams = Pick<BatchItem, 'prompt' | 'model' | 'size' | 'ratio' | 'n' | 'inputs' | 'taskType'>

/** What {@link parseBatch} found: the items, or every problem. */
export type ParsedBatch = { ok: true; items: BatchItem[] } | { ok: false; issues: LineIssue[] }

/** Options of {@link parseBatch}. */
export interface ParseOptions {
  /** CSV (a header row) instead of JSONL. */
  csv: boolean
  /** Whether a local input image exists (a path as written); https URLs are not asked about. */
  exists?: (path: string) => boolean
}

/**
 * The key of an item: the first 16 hex digits of the SHA-256 of its
 * parameters in a fixed order (the prompt trimmed, `n` 1 when left out, the
 * task type as inferred), so spelling `"n": 1` or `aspect_ratio` for `ratio`
 * is the same item and any change to what is generated is a new one. The
 * output name is left out: renaming a file never makes a new picture.
 *
 * @example
 * ```ts
 * itemKey({ prompt: 'a fox', model: undefined, size: undefined, ratio: undefined, n: 1, inputs: [], taskType: 'text_to_image' }) // '3f1c…' (16 hex digits)
 * ```
 */
export function itemKey(params: KeyedParams): string {
  const canonical = JSON.stringify([
    params.prompt.trim(),
    params.model ?? null,
    params.size ?? null,
    params.ratio ?? null,
    params.n,
    params.inputs,
    params.taskType,
  ])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

/** Whether an input is a URL (passed as it is) rather than a local path. */
export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input)
}

/** Whether the file name is a CSV one: the batch format is told by the extension. */
export function isCsvPath(path: string): boolean {
  return /\.csv$/i.test(path)
}

const RATIO = /^\s*\d+(\.\d+)?\s*:\s*\d+(\.\d+)?\s*$/

/** A record of the file: its line number and its fields as found (strings from CSV, any JSON value from JSONL). */
interface RawRecord {
  line: number
  fields: Record<string, unknown>
}

/**
 * Reads and checks every line. A problem in any line refuses the batch:
 * nothing is quoted or created until the file is right.
 *
 * @example
 * ```ts
 * const parsed = parseBatch('{"prompt":"a fox","n":2}\n', { csv: false })
 * if (parsed.ok) console.log(parsed.items[0]?.n) // 2
 * ```
 */
export function parseBatch(text: string, options: ParseOptions): ParsedBatch {
  const issues: LineIssue[] = []
  const records = options.csv ? csvRecords(text, issues) : jsonlRecords(text, issues)
  const items: BatchItem[] = []
  for (const record of records) {
    const item = checkRecord(record, options, issues)
    if (item) items.push(item)
  }
  // Every file a line writes (`fox.png`, and `fox-2.png` with n: 2), in any case (macOS and Windows fold it): one line's picture must never replace another's.
  const outs = new Map<string, number>()
  for (const item of items) {
    if (item.out === undefined) continue
    for (let index = 0; index < item.n; index += 1) {
      const file = numberedFileName(item.out, index)
      const seen = outs.get(file.toLowerCase())
      if (seen === undefined) outs.set(file.toLowerCase(), item.line)
      else if (seen !== item.line) {
        issues.push({ line: item.line, field: 'out', problem: 'duplicateOut', detail: String(seen), file })
        break
      }
    }
  }
  if (issues.length === 0 && items.length === 0) issues.push({ line: 0, field: undefined, problem: 'empty' })
  if (issues.length > 0) return { ok: false, issues: issues.sort((a, b) => a.line - b.line) }
  return { ok: true, items }
}

/** Lines of text, numbered from 1, with a byte-order mark and `\r` removed. */
function numberedLines(text: string): { line: number; text: string }[] {
  return text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((line, index) => ({ line: index + 1, text: line.replace(/\r$/, '') }))
}

function jsonlRecords(text: string, issues: LineIssue[]): RawRecord[] {
  const records: RawRecord[] = []
  for (const { line, text: raw } of numberedLines(text)) {
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    let value: unknown
    try {
      value = JSON.parse(trimmed)
    } catch (error) {
      issues.push({ line, field: undefined, problem: 'json', detail: (error as Error).message })
      continue
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ line, field: undefined, problem: 'object', detail: Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value })
      continue
    }
    records.push({ line, fields: value as Record<string, unknown> })
  }
  return records
}

/**
 * CSV as RFC 4180 writes it: fields separated by commas, quoted with `"`
 * when they hold a comma, a quote (doubled) or a line break. Blank lines
 * are skipped; the first record is the header.
 */
function csvRecords(text: string, issues: LineIssue[]): RawRecord[] {
  const rows = csvRows(text.replace(/^\uFEFF/, ''), issues)
  const header = rows.shift()
  if (!header) return []
  const names = header.cells.map((cell) => cell.trim().toLowerCase())
  let headerOk = true
  for (const name of names) {
    if (!(BATCH_FIELDS as readonly string[]).includes(name)) {
      issues.push({ line: header.line, field: name, problem: 'unknownField' })
      headerOk = false
    }
  }
  if (!names.includes('prompt')) {
    issues.push({ line: header.line, field: 'prompt', problem: 'noPromptColumn' })
    headerOk = false
  }
  if (!headerOk) return []
  const records: RawRecord[] = []
  for (const row of rows) {
    if (row.cells.length > names.length) {
      issues.push({ line: row.line, field: undefined, problem: 'csvColumns', detail: `${row.cells.length}/${names.length}` })
      continue
    }
    const fields: Record<string, unknown> = {}
    names.forEach((name, index) => {
      const cell = row.cells[index]?.trim()
      if (cell === undefined || cell === '') return
      fields[name] = name === 'inputs' || name === 'input_images' ? cell.split('|').map((part) => part.trim()).filter((part) => part !== '') : cell
    })
    records.push({ line: row.line, fields })
  }
  return records
}

function csvRows(text: string, issues: LineIssue[]): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = []
  let line = 1
  let index = 0
  while (index < text.length) {
    const startLine = line
    const cells: string[] = []
    let cell = ''
    let quoted = false
    let endOfRow = false
    let blank = true
    while (index < text.length && !endOfRow) {
      const char = text[index] as string
      if (quoted) {
        if (char === '"' && text[index + 1] === '"') {
          cell += '"'
          index += 2
          continue
        }
        if (char === '"') quoted = false
        else {
          if (char === '\n') line += 1
          cell += char
        }
        index += 1
        continue
      }
      if (char === '"' && cell.trim() === '') {
        quoted = true
        cell = ''
        blank = false
      } else if (char === ',') {
        cells.push(cell)
        cell = ''
        blank = false
      } else if (char === '\n') {
        line += 1
        endOfRow = true
      } else if (char !== '\r') {
        cell += char
        if (char.trim() !== '') blank = false
      }
      index += 1
    }
    if (quoted) {
      issues.push({ line: startLine, field: undefined, problem: 'csvQuote' })
      return rows
    }
    cells.push(cell)
    if (!blank) rows.push({ line: startLine, cells })
  }
  return rows
}

/** The one value of a field given under either of its names, or a problem when both are given and differ. */
function either(record: RawRecord, names: readonly [string, string], issues: LineIssue[]): unknown {
  const [first, second] = names
  const a = record.fields[first]
  const b = record.fields[second]
  const present = (value: unknown) => value !== undefined && value !== null
  if (present(a) && present(b) && JSON.stringify(a) !== JSON.stringify(b)) {
    issues.push({ line: record.line, field: `${first}/${second}`, problem: 'disagree' })
    return undefined
  }
  return present(a) ? a : present(b) ? b : undefined
}

/** A text field: undefined when absent or blank; a problem when not a string. */
function textField(record: RawRecord, field: string, value: unknown, issues: LineIssue[]): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') {
    issues.push({ line: record.line, field, problem: 'text', detail: JSON.stringify(value) })
    return undefined
  }
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

/** Whether `out` names a file inside the output folder (no absolute path, no `..`). */
function isInsideName(out: string): boolean {
  if (isAbsolute(out) || /^[a-z]:/i.test(out)) return false
  const normalized = normalize(out)
  return normalized !== '.' && !normalized.endsWith(sep) && !normalized.split(/[\\/]/).includes('..')
}

function checkRecord(record: RawRecord, options: ParseOptions, issues: LineIssue[]): BatchItem | undefined {
  const before = issues.length
  const { line } = record
  for (const name of Object.keys(record.fields)) {
    if (!(BATCH_FIELDS as readonly string[]).includes(name)) issues.push({ line, field: name, problem: 'unknownField' })
  }
  const rawPrompt = record.fields.prompt
  const prompt = typeof rawPrompt === 'string' && rawPrompt.trim() !== '' ? rawPrompt.trim() : undefined
  if (prompt === undefined) {
    const missing = rawPrompt === undefined || rawPrompt === null || typeof rawPrompt === 'string'
    issues.push({ line, field: 'prompt', problem: missing ? 'required' : 'text', ...(missing ? {} : { detail: JSON.stringify(rawPrompt) }) })
  } else if (prompt.length > MAX_PROMPT_LENGTH) {
    issues.push({ line, field: 'prompt', problem: 'tooLong', limit: MAX_PROMPT_LENGTH })
  }
  const model = textField(record, 'model', record.fields.model, issues)
  const size = textField(record, 'size', record.fields.size, issues)
  const ratioField = record.fields.ratio !== undefined && record.fields.ratio !== null ? 'ratio' : 'aspect_ratio'
  const ratio = textField(record, ratioField, either(record, ['ratio', 'aspect_ratio'], issues), issues)
  if (ratio !== undefined && !RATIO.test(ratio)) issues.push({ line, field: ratioField, problem: 'ratio', detail: ratio })

  let n = 1
  const rawN = record.fields.n
  if (rawN !== undefined && rawN !== null && rawN !== '') {
    const number = typeof rawN === 'number' ? rawN : typeof rawN === 'string' && /^\s*\d+\s*$/.test(rawN) ? Number(rawN) : Number.NaN
    if (!Number.isInteger(number) || number < 1 || number > MAX_IMAGES_PER_TASK) {
      issues.push({ line, field: 'n', problem: 'wholeNumber', detail: JSON.stringify(rawN), limit: MAX_IMAGES_PER_TASK })
    } else n = number
  }

  const inputsField = record.fields.inputs !== undefined && record.fields.inputs !== null ? 'inputs' : 'input_images'
  const rawInputs = either(record, ['inputs', 'input_images'], issues)
  let inputs: string[] = []
  if (typeof rawInputs === 'string') inputs = rawInputs.trim() === '' ? [] : [rawInputs.trim()]
  else if (Array.isArray(rawInputs) && rawInputs.every((input) => typeof input === 'string')) inputs = rawInputs.map((input: string) => input.trim()).filter((input) => input !== '')
  else if (rawInputs !== undefined) issues.push({ line, field: inputsField, problem: 'text', detail: JSON.stringify(rawInputs) })
  for (const input of inputs) {
    if (!isUrl(input) && options.exists && !options.exists(input)) issues.push({ line, field: inputsField, problem: 'notFound', detail: input })
  }

  let taskType: TaskType = inputs.length > 0 ? 'image_to_image' : 'text_to_image'
  const rawType = textField(record, 'task_type', record.fields.task_type, issues)
  if (rawType !== undefined) {
    if ((TASK_TYPES as readonly string[]).includes(rawType)) taskType = rawType as TaskType
    else issues.push({ line, field: 'task_type', problem: 'taskType', detail: rawType })
  }
  if (taskType === 'image_to_image' && inputs.length === 0) issues.push({ line, field: 'inputs', problem: 'needsInputs' })
  if (taskType === 'text_to_image' && inputs.length > 0) issues.push({ line, field: inputsField, problem: 'noInputs' })

  const outField = record.fields.out !== undefined && record.fields.out !== null ? 'out' : 'output'
  const out = textField(record, outField, either(record, ['out', 'output'], issues), issues)
  if (out !== undefined && !isInsideName(out)) issues.push({ line, field: outField, problem: 'outName', detail: out })

  if (issues.length > before || prompt === undefined) return undefined
  const keyed: KeyedParams = { prompt, model, size, ratio, n, inputs, taskType }
  return { line, key: itemKey(keyed), ...keyed, out: out === undefined ? undefined : normalize(out) }
}
