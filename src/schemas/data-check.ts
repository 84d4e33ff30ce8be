/**
 * Checks of what the service answers, written by hand. Answers are read on
 * every call (a poll, a product list), so their check must cost next to
 * nothing: one walk over the parsed JSON, normalising in place (the value is
 * always freshly parsed, never the caller's), with no schema objects, no
 * copies and no recursion. What callers pass is checked with zod instead
 * (see `create-params.ts`), where its messages matter more than its speed.
 */
import type { FieldIssue } from '../errors.js'

/**
 * What a check of an answer's `data` found: the value, normalised, or what
 * is wrong with it. `tooDeep` says the value nests deeper than a real answer
 * ever does, so it was not walked further.
 *
 * @example
 * ```ts
 * const checked: DataCheck<UploadToken> = readUploadToken({ ful: 'https://…', fdl: 'https://…' })
 * if (!checked.success) console.log(checked.issues)
 * ```
 */
export type DataCheck<T> = { success: true; data: T } | { success: false; issues: FieldIssue[]; tooDeep?: boolean }

/**
 * A check of the `data` of one kind of answer.
 *
 * @example
 * ```ts
 * const read: DataReader<ProductNode[]> = readProductList
 * ```
 */
export type DataReader<T> = (value: unknown) => DataCheck<T>

/** Most issues one check reports: an answer that is wrong everywhere is wrong enough with twenty. */
const MAX_ISSUES = 20

/**
 * The issues a check found while walking a value, and the verdict.
 *
 * @example
 * ```ts
 * const found = new IssueList()
 * if (typeof value.ful !== 'string') found.add('ful', 'must be a string')
 * return found.verdict(value as UploadToken)
 * ```
 */
export class IssueList {
  readonly issues: FieldIssue[] = []

  add(path: string, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ path, message })
  }

  get empty(): boolean {
    return this.issues.length === 0
  }

  verdict<T>(data: T): DataCheck<T> {
    return this.issues.length === 0 ? { success: true, data } : { success: false, issues: this.issues }
  }
}

/**
 * Whether a value is a JSON object (not an array, not null).
 *
 * @example
 * ```ts
 * isJsonObject({}) // true
 * isJsonObject([]) // false
 * ```
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The dotted path of a field, as issues name it (`medias.0.url`).
 *
 * @example
 * ```ts
 * pathOf('medias.0', 'url') // 'medias.0.url'
 * pathOf('', 'id') // 'id'
 * ```
 */
export function pathOf(parent: string, key: string | number): string {
  return parent === '' ? String(key) : `${parent}.${key}`
}

/**
 * Checks that an optional field, when present and not null, has the
 * `typeof` it must have; reports it otherwise.
 *
 * @example
 * ```ts
 * checkOptional(media, 'width', 'number', 'medias.0', found)
 * ```
 */
export function checkOptional(
  object: Record<string, unknown>,
  key: string,
  type: 'string' | 'number' | 'boolean',
  parent: string,
  found: IssueList,
): void {
  const value = object[key]
  if (value !== undefined && value !== null && typeof value !== type) found.add(pathOf(parent, key), `must be a ${type}`)
}

/**
 * Normalises a field the service sends as a string or a number to its
 * string; reports anything else. `fallback` is used for a missing or null
 * field; without one such a field is reported too.
 *
 * @example
 * ```ts
 * normaliseId(node, 'type', 'data.0', found) // 3 → '3'
 * ```
 */
export function normaliseId(object: Record<string, unknown>, key: string, parent: string, found: IssueList, fallback?: string): void {
  const value = object[key]
  if (typeof value === 'string') return
  if (typeof value === 'number') object[key] = String(value)
  else if ((value === undefined || value === null) && fallback !== undefined) object[key] = fallback
  else found.add(pathOf(parent, key), 'must be a string or a number')
}
