/**
 * The pure parts of `ima batch`, in-process: the parser (JSONL and CSV, line
 * numbers, every refusal), the item key, the merge rules that decide what
 * each item needs from an earlier run and the journal (never a create
 * twice), the summary file's append-then-compact writes, the totals, the
 * result file names and the per-item lines.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDisplay, formatEta, itemLine } from '../../src/cli/batch/display.js'
import { isCsvPath, itemKey, parseBatch, type BatchItem, type KeyedParams } from '../../src/cli/batch/items.js'
import { fieldOfPath, planItems, planTotals, type PlannedItem } from '../../src/cli/batch/plan.js'
import { resultFileNames } from '../../src/cli/batch/runner.js'
import { decide, matchRows, newRow, parseSummary, resolveWithJournal, SummaryFile, type SummaryRow } from '../../src/cli/batch/state.js'
import type { CliIO } from '../../src/cli/io.js'
import { wordsFor } from '../../src/cli/messages.js'
import type { TaskQuote } from '../../src/resources/tasks/types.js'
import type { JournalEntry } from '../../src/stores/task-journal.js'

const BASE: KeyedParams = { prompt: 'a fox', model: undefined, size: undefined, ratio: undefined, n: 1, inputs: [], taskType: 'text_to_image' }

function items(text: string, csv = false, exists?: (path: string) => boolean): BatchItem[] {
  const parsed = parseBatch(text, { csv, ...(exists ? { exists } : {}) })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
  return parsed.items
}

function issues(text: string, csv = false, exists?: (path: string) => boolean) {
  const parsed = parseBatch(text, { csv, ...(exists ? { exists } : {}) })
  if (parsed.ok) throw new Error('expected a refusal')
  return parsed.issues
}

function row(overrides: Partial<SummaryRow> & Pick<SummaryRow, 'line' | 'key'>): SummaryRow {
  return { ...newRow(overrides, new Date('2025-01-01T00:00:00Z')), ...overrides }
}

function entry(overrides: Partial<JournalEntry> & Pick<JournalEntry, 'ref'>): JournalEntry {
  return {
    state: 'intent',
    taskType: 'text_to_image',
    model: { id: 'doubao-seedream-4.5', name: 'SeeDream 4.5', version: 'v1' },
    attributeId: 1,
    credit: 5,
    n: 1,
    totalCredit: 5,
    parameters: {},
    baseURL: 'http://127.0.0.1:1',
    createdAt: '2025-01-01T00:00:01.000Z',
    updatedAt: '2025-01-01T00:00:01.000Z',
    ...overrides,
  }
}

describe('parseBatch: JSONL', () => {
  it('reads one object per line, skipping blank lines and # comments, numbered as an editor shows them', () => {
    const parsed = items('{"prompt":"a fox"}\n\n# a comment\n  {"prompt":" a castle ","model":"NB2","size":"2K","aspect_ratio":"16:9","n":2,"out":"castle.png"}\r\n')
    expect(parsed.map((item) => item.line)).toEqual([1, 4])
    expect(parsed[1]).toMatchObject({ prompt: 'a castle', model: 'NB2', size: '2K', ratio: '16:9', n: 2, inputs: [], taskType: 'text_to_image', out: 'castle.png' })
  })

  it('takes inputs or input_images (a string or a list), output for out, and infers image_to_image', () => {
    const [one, two] = items('{"prompt":"edit","input_images":["https://x.test/a.png","b.png"],"output":"e.png"}\n{"prompt":"edit","inputs":"c.png"}\n', false, () => true)
    expect(one).toMatchObject({ inputs: ['https://x.test/a.png', 'b.png'], taskType: 'image_to_image', out: 'e.png' })
    expect(two).toMatchObject({ inputs: ['c.png'], taskType: 'image_to_image' })
  })

  it.each([
    ['{"model":"NB2"}', { field: 'prompt', problem: 'required' }],
    ['{"prompt":"  "}', { field: 'prompt', problem: 'required' }],
    ['{"prompt":42}', { field: 'prompt', problem: 'text' }],
    ['{"prompt":"x","n":9}', { field: 'n', problem: 'wholeNumber', detail: '9', limit: 4 }],
    ['{"prompt":"x","n":0}', { field: 'n', problem: 'wholeNumber' }],
    ['{"prompt":"x","n":1.5}', { field: 'n', problem: 'wholeNumber' }],
    ['{"prompt":"x","ratio":"wide"}', { field: 'ratio', problem: 'ratio', detail: 'wide' }],
    ['{"prompt":"x","ratio":"16:9","aspect_ratio":"1:1"}', { field: 'ratio/aspect_ratio', problem: 'disagree' }],
    ['{"prompt":"x","task_type":"video"}', { field: 'task_type', problem: 'taskType' }],
    ['{"prompt":"x","task_type":"image_to_image"}', { field: 'inputs', problem: 'needsInputs' }],
    ['{"prompt":"x","task_type":"text_to_image","inputs":["https://x.test/a.png"]}', { field: 'inputs', problem: 'noInputs' }],
    ['{"prompt":"x","inputs":[1]}', { field: 'inputs', problem: 'text' }],
    ['{"prompt":"x","inputs":["gone.png"]}', { field: 'inputs', problem: 'notFound', detail: 'gone.png' }],
    ['{"prompt":"x","out":"../up.png"}', { field: 'out', problem: 'outName' }],
    ['{"prompt":"x","out":"/abs.png"}', { field: 'out', problem: 'outName' }],
    ['{"prompt":"x","sise":"2K"}', { field: 'sise', problem: 'unknownField' }],
    ['{"prompt":"x"', { field: undefined, problem: 'json' }],
    ['["prompt"]', { field: undefined, problem: 'object', detail: 'an array' }],
  ])('refuses %s, naming the line and the field', (line, expected) => {
    const found = issues(`{"prompt":"fine"}\n\n${line}\n`, false, () => false)
    expect(found[0]).toMatchObject({ line: 3, ...expected })
  })

  it('lists every bad line, in order, and refuses the same out twice', () => {
    const found = issues('{"prompt":"a","out":"x.png"}\n{"n":2}\n{"prompt":"b","out":"x.png"}\n{"prompt":"c","n":"many"}\n')
    expect(found.map((issue) => [issue.line, issue.field, issue.problem])).toEqual([
      [2, 'prompt', 'required'],
      [3, 'out', 'duplicateOut'],
      [4, 'n', 'wholeNumber'],
    ])
  })

  // Line 1's n: 2 wrote fox-2.png, which line 2 then replaced: one paid picture was lost, and both rows said done.
  it("refuses a line whose file is one of another line's numbered files, or the same name in another case", () => {
    const found = issues('{"prompt":"a","n":2,"out":"fox.png"}\n{"prompt":"b","out":"fox-2.png"}\n{"prompt":"c","out":"FOX.png"}\n{"prompt":"d","n":3,"out":"cat.png"}\n')
    expect(found).toEqual([
      { line: 2, field: 'out', problem: 'duplicateOut', detail: '1', file: 'fox-2.png' },
      { line: 3, field: 'out', problem: 'duplicateOut', detail: '1', file: 'FOX.png' },
    ])
  })

  it('refuses a file with no lines', () => {
    expect(issues('\n# only a comment\n')).toEqual([{ line: 0, field: undefined, problem: 'empty' }])
  })
})

describe('parseBatch: CSV', () => {
  it('reads a header row, quoted cells (commas, doubled quotes, line breaks), inputs separated by |', () => {
    const text = '\uFEFFPrompt,Model,N,Inputs,Output\r\n"a fox, in the snow",NB2,,,\r\n\r\n"say ""hi""\nover two lines",,2,,hi.png\r\nedit,,,a.png | https://x.test/b.png,\r\n'
    const parsed = items(text, true, () => true)
    expect(parsed.map((item) => item.line)).toEqual([2, 4, 6])
    expect(parsed[0]).toMatchObject({ prompt: 'a fox, in the snow', model: 'NB2', n: 1 })
    expect(parsed[1]).toMatchObject({ prompt: 'say "hi"\nover two lines', n: 2, out: 'hi.png' })
    expect(parsed[2]).toMatchObject({ inputs: ['a.png', 'https://x.test/b.png'], taskType: 'image_to_image' })
  })

  it('refuses an unknown column, a header without prompt, extra cells and an unclosed quote', () => {
    expect(issues('prompt,colour\nx,red\n', true)).toEqual([{ line: 1, field: 'colour', problem: 'unknownField' }])
    expect(issues('model\nNB2\n', true)).toEqual([{ line: 1, field: 'prompt', problem: 'noPromptColumn' }])
    expect(issues('prompt\nx,y\n', true)[0]).toMatchObject({ line: 2, problem: 'csvColumns' })
    expect(issues('prompt\n"x\n', true)[0]).toMatchObject({ line: 2, problem: 'csvQuote' })
    expect(issues('prompt,n\nx,\ny,7\n', true)[0]).toMatchObject({ line: 3, field: 'n', problem: 'wholeNumber' })
  })

  it('is told by the extension', () => {
    expect(isCsvPath('jobs.CSV')).toBe(true)
    expect(isCsvPath('jobs.jsonl')).toBe(false)
  })
})

describe('itemKey', () => {
  it('is 16 hex digits, the same for the same generation however it is spelled', () => {
    const [a, b, c] = items('{"prompt":"a fox","ratio":"16:9"}\n{"prompt":" a fox ","aspect_ratio":"16:9","n":1,"out":"f.png"}\n{"prompt":"a fox","ratio":"16:9","n":"1"}\n')
    expect(a?.key).toMatch(/^[0-9a-f]{16}$/)
    expect(b?.key).toBe(a?.key)
    expect(c?.key).toBe(a?.key)
  })

  it('changes with anything that changes the picture, not with the file name', () => {
    const key = itemKey(BASE)
    for (const change of [{ prompt: 'a fax' }, { model: 'NB2' }, { size: '2K' }, { ratio: '1:1' }, { n: 2 }, { inputs: ['a.png'], taskType: 'image_to_image' as const }]) {
      expect(itemKey({ ...BASE, ...change }), JSON.stringify(change)).not.toBe(key)
    }
    expect(itemKey({ ...BASE, taskType: 'image_to_image' })).not.toBe(key)
    expect(itemKey({ ...BASE })).toBe(key)
  })
})

describe('the summary rows and the merge rules', () => {
  it('reads the last row of each item, skipping torn or foreign lines, in first-seen order', () => {
    const text = [
      JSON.stringify(row({ line: 1, key: 'a' })),
      JSON.stringify(row({ line: 2, key: 'b' })),
      JSON.stringify(row({ line: 1, key: 'a', state: 'creating', sent_at: '2025-01-01T00:00:00.000Z' })),
      'not json',
      JSON.stringify({ line: 3, key: 'c', state: 'weird' }),
      JSON.stringify(row({ line: 1, key: 'a', state: 'pending', task_id: 'task_1', ref: 'ima-1' })),
      '{"line":2,"key":"b","state":"do',
    ].join('\n')
    const rows = parseSummary(text)
    expect(rows.map((found) => [found.line, found.state, found.task_id])).toEqual([
      [1, 'pending', 'task_1'],
      [2, 'pending', null],
    ])
  })

  it('matches rows by line and key, then a moved line by its key; the rest are orphans', () => {
    const previous = [row({ line: 1, key: 'a', state: 'done' }), row({ line: 2, key: 'b', state: 'done' }), row({ line: 3, key: 'old', state: 'pending', task_id: 'task_3' })]
    const { rows, orphans } = matchRows(
      [
        { line: 1, key: 'new' },
        { line: 2, key: 'a' },
        { line: 3, key: 'b' },
      ],
      previous,
    )
    expect(rows[0]).toBeUndefined()
    expect(rows[1]).toMatchObject({ line: 2, key: 'a', state: 'done' })
    expect(rows[2]).toMatchObject({ line: 3, key: 'b', state: 'done' })
    expect(orphans.map((orphan) => orphan.key)).toEqual(['old'])
  })

  it('gives two identical lines their own rows', () => {
    const previous = [row({ line: 1, key: 'same', state: 'done', task_id: 'task_1' }), row({ line: 2, key: 'same', state: 'pending', task_id: 'task_2' })]
    const { rows } = matchRows(
      [
        { line: 1, key: 'same' },
        { line: 2, key: 'same' },
        { line: 3, key: 'same' },
      ],
      previous,
    )
    expect(rows.map((found) => found?.task_id ?? null)).toEqual(['task_1', 'task_2', null])
  })

  it.each([
    ['no row', undefined, { kind: 'create' }],
    ['done', { state: 'done', task_id: 'task_1' }, { kind: 'done' }],
    ['pending with a task id', { state: 'pending', task_id: 'task_1' }, { kind: 'resume', taskId: 'task_1' }],
    ['failed with a task id (the task failed, or the wait or the save did)', { state: 'failed', task_id: 'task_1' }, { kind: 'resume', taskId: 'task_1' }],
    ['unknown', { state: 'unknown', ref: 'ima-1' }, { kind: 'check' }],
    ['creating without a ref', { state: 'creating' }, { kind: 'check' }],
    ['pending with a ref and no task id (a detached create the service refused)', { state: 'pending', ref: 'ima-1' }, { kind: 'check' }],
    ['pending, never sent', { state: 'pending' }, { kind: 'create' }],
    ['failed without a task id (refused: nothing was created)', { state: 'failed', error: '400' }, { kind: 'create' }],
  ] as const)('decides %s', (_name, overrides, expected) => {
    expect(decide(overrides ? row({ line: 1, key: 'a', ...overrides }) : undefined)).toEqual(expected)
  })

  describe('what the journal says', () => {
    const sent = row({ line: 1, key: 'a', state: 'creating', sent_at: '2025-01-01T00:00:00.000Z', model: 'doubao-seedream-4.5', credit: 5 })

    it('resumes a ref that has a task id, creates one refused, keeps any other unknown', () => {
      const unknown = row({ line: 1, key: 'a', state: 'unknown', ref: 'ima-1' })
      expect(resolveWithJournal(unknown, [entry({ ref: 'ima-1', state: 'created', taskId: 'task_9', totalCredit: 7 })])).toEqual({ kind: 'resume', taskId: 'task_9', ref: 'ima-1', credit: 7 })
      expect(resolveWithJournal(unknown, [entry({ ref: 'ima-1', state: 'refused' })])).toEqual({ kind: 'create' })
      expect(resolveWithJournal(unknown, [entry({ ref: 'ima-1', state: 'unknown' })])).toEqual({ kind: 'unknown', ref: 'ima-1' })
      expect(resolveWithJournal(unknown, [entry({ ref: 'ima-1', state: 'intent' })])).toEqual({ kind: 'unknown', ref: 'ima-1' })
      // The journal lost it (another machine, a deleted file): still unknown, never created again.
      expect(resolveWithJournal(unknown, [])).toEqual({ kind: 'unknown', ref: 'ima-1' })
    })

    it('finds a "creating" row by the ref it was written with before its create was sent', () => {
      const mine = entry({ ref: 'batch-1', state: 'created', taskId: 'task_7', totalCredit: 5 })
      expect(resolveWithJournal({ ...sent, ref: 'batch-1' }, [entry({ ref: 'batch-0', taskId: 'task_6' }), mine])).toEqual({ kind: 'resume', taskId: 'task_7', ref: 'batch-1', credit: 5 })
      // Its intent only: it may have been charged; unknown.
      expect(resolveWithJournal({ ...sent, ref: 'batch-1' }, [entry({ ref: 'batch-1', state: 'intent' })])).toEqual({ kind: 'unknown', ref: 'batch-1' })
      // Not in the journal, or a row without a ref: unknown (never created again).
      expect(resolveWithJournal({ ...sent, ref: 'batch-1' }, [])).toEqual({ kind: 'unknown', ref: 'batch-1' })
      expect(resolveWithJournal(sent, [entry({ ref: 'x', taskId: 'task_1' })])).toEqual({ kind: 'unknown', ref: undefined })
    })
  })

  it('plans each item: done skipped, task ids resumed, the journal asked only when needed', async () => {
    const parsed = items('{"prompt":"a"}\n{"prompt":"b"}\n{"prompt":"c"}\n{"prompt":"d"}\n{"prompt":"e"}\n{"prompt":"f"}\n')
    const [a, b, c, d, e] = parsed as [BatchItem, BatchItem, BatchItem, BatchItem, BatchItem, BatchItem]
    const previous = [
      row({ line: 1, key: a.key, state: 'done', task_id: 'task_a' }),
      row({ line: 2, key: b.key, state: 'pending', task_id: 'task_b' }),
      row({ line: 3, key: c.key, state: 'unknown', ref: 'ima-c' }),
      row({ line: 4, key: d.key, state: 'unknown', ref: 'ima-d' }),
      row({ line: 5, key: e.key, state: 'failed', error: 'refused' }),
    ]
    let reads = 0
    const journal = async () => {
      reads += 1
      return [entry({ ref: 'ima-c', state: 'created', taskId: 'task_c' }), entry({ ref: 'ima-d', state: 'unknown' })]
    }
    const { planned } = await planItems(parsed, previous, journal)
    expect(planned.map((entry) => [entry.item.line, entry.action, entry.row.task_id, entry.row.state])).toEqual([
      [1, 'done', 'task_a', 'done'],
      [2, 'resume', 'task_b', 'pending'],
      [3, 'resume', 'task_c', 'pending'],
      [4, 'unknown', null, 'unknown'],
      [5, 'create', null, 'pending'],
      [6, 'create', null, 'pending'],
    ])
    expect(planned[4]?.row.error).toBeNull()
    expect(reads).toBe(1)
    await planItems(parsed, [previous[0] as SummaryRow], async () => {
      throw new Error('the journal is not needed')
    })
  })
})

describe('SummaryFile', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ima-batch-units-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('appends each change, then rewrites one row per item in input order; "creating" left over becomes "unknown"', async () => {
    const path = join(dir, 'nested', 'summary.jsonl')
    const file = new SummaryFile(path)
    await file.begin([row({ line: 1, key: 'a' }), row({ line: 2, key: 'b' })])
    await file.update(row({ line: 2, key: 'b', state: 'creating', sent_at: new Date().toISOString() }))
    await file.update(row({ line: 1, key: 'a', state: 'pending', task_id: 'task_1', ref: 'ima-1' }))
    await file.update(row({ line: 1, key: 'a', state: 'done', task_id: 'task_1', ref: 'ima-1', urls: ['u'] }))
    const appended = (await readFile(path, 'utf8')).trim().split('\n')
    expect(appended).toHaveLength(5)
    expect(parseSummary(appended.join('\n')).map((found) => found.state)).toEqual(['done', 'creating'])
    const rows = await file.finish()
    expect(rows.map((found) => [found.line, found.state])).toEqual([
      [1, 'done'],
      [2, 'unknown'],
    ])
    const compacted = (await readFile(path, 'utf8')).trim().split('\n')
    expect(compacted).toHaveLength(2)
    expect(JSON.parse(compacted[0] ?? '{}')).toMatchObject({ line: 1, state: 'done', task_id: 'task_1', urls: ['u'] })
    expect(file.failure).toBeUndefined()
  })

  it('records a write that failed, so the run starts no more', async () => {
    const file = new SummaryFile(join(dir, 'missing-folder', 'x', 'summary.jsonl'))
    await expect(file.update(row({ line: 1, key: 'a' }))).rejects.toThrow()
    expect(file.failure).toBeDefined()
  })
})

describe('the totals, the file names and the lines', () => {
  const quote = (name: string, n: number, credit: number) => ({ model: { id: name, name, version: 'v' }, n, totalCredit: credit * n }) as unknown as TaskQuote
  const plannedItem = (line: number, action: PlannedItem['action'], q?: TaskQuote): PlannedItem => ({
    item: { ...BASE, line, key: String(line), out: undefined },
    row: row({ line, key: String(line) }),
    action,
    ...(q ? { quote: q } : {}),
  })

  it('counts the images and points to make, by model, and what is done, resumed or unknown', () => {
    const totals = planTotals([
      plannedItem(1, 'create', quote('SeeDream 4.5', 1, 5)),
      plannedItem(2, 'create', quote('Nano Banana Pro', 2, 10)),
      plannedItem(3, 'create', quote('SeeDream 4.5', 1, 5)),
      plannedItem(4, 'done'),
      plannedItem(5, 'resume'),
      plannedItem(6, 'unknown'),
    ])
    expect(totals).toMatchObject({ lines: 3, images: 4, credits: 30, done: 1, resume: 1 })
    expect(totals.unknown.map((entry) => entry.item.line)).toEqual([6])
    expect(totals.byModel).toEqual([
      { model: 'Nano Banana Pro', images: 2, credits: 20 },
      { model: 'SeeDream 4.5', images: 2, credits: 10 },
    ])
    expect(wordsFor('en').batch.plan({ images: 20, lines: 20, credits: 200, done: 5 })).toBe('20 images to make, 200 credits in all; 5 already done')
  })

  it('names results after the line\'s out, else after the prompt and the task', () => {
    expect(resultFileNames({ prompt: 'a fox', out: 'fox.png' }, 'task_1', ['u1', 'u2'])).toEqual(['fox.png', 'fox-2.png'])
    expect(resultFileNames({ prompt: 'a fox', out: 'sub/fox' }, 'task_1', ['u1', 'u2'])).toEqual(['sub/fox', 'sub/fox-2'])
    expect(resultFileNames({ prompt: 'a fox', out: undefined }, 'task_1', ['https://x.test/0.webp'])).toEqual(['a-fox-task-1.webp'])
    expect(resultFileNames({ prompt: 'a fox', out: undefined }, 'task_1', ['u1', 'u2'])).toEqual(['a-fox-task-1-1.png', 'a-fox-task-1-2.png'])
  })

  it('maps a refused parameter to the batch field', () => {
    expect(fieldOfPath('inputImages.0')).toBe('inputs')
    expect(fieldOfPath('aspectRatio')).toBe('ratio')
    expect(fieldOfPath(undefined)).toBeUndefined()
  })

  it('writes one line per item as it ends, in both languages', () => {
    const en = wordsFor('en')
    const done = row({ line: 7, key: 'k', state: 'done', task_id: 'task_7', credit: 10, urls: ['https://x.test/0.png'], files: ['/out/a.png', '/out/b.png'] })
    expect(itemLine(en, 7, 20, { row: done })).toBe('[7/20] done task_7 10 credits → /out/a.png (+1)')
    expect(itemLine(en, 7, 20, { row: { ...done, files: [] } })).toBe('[7/20] done task_7 10 credits → https://x.test/0.png')
    expect(itemLine(en, 8, 20, { row: { ...done, state: 'failed', error: 'boom' } })).toBe('[8/20] failed line 7 (task_7): boom')
    expect(itemLine(en, 9, 20, { row: { ...done, state: 'unknown', task_id: null, ref: 'ima-1' } })).toContain('ima tasks --unknown')
    expect(itemLine(wordsFor('zh'), 7, 20, { row: done })).toBe('[7/20] 完成 task_7 10 积分 → /out/a.png (+1)')
    expect(formatEta(undefined, '–')).toBe('–')
    expect(formatEta(42, '–')).toBe('42s')
    expect(formatEta(65, '–')).toBe('1m05s')
  })

  it('prints the lines on a non-terminal, and nothing with --quiet', () => {
    let err = ''
    const stderr = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        err += chunk.toString()
        callback()
      },
    })
    const io = { stdout: stderr, stderr, stderrIsTTY: false, env: {}, log: {} } as unknown as CliIO
    const display = createDisplay(io, { quiet: false, language: 'en', total: 3, alreadyDone: 1 })
    display.started()
    display.ended({ row: row({ line: 2, key: 'b', state: 'done', task_id: 'task_2', credit: 5, urls: ['u'] }) })
    display.started()
    display.ended()
    expect(err).toBe('[2/3] done task_2 5 credits → u\n')
    const quiet = createDisplay(io, { quiet: true, language: 'en', total: 3, alreadyDone: 1 })
    quiet.started()
    quiet.ended({ row: row({ line: 3, key: 'c', state: 'failed' }) })
    expect(err).toBe('[2/3] done task_2 5 credits → u\n')
  })
})
