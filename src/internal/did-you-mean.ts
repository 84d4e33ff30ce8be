/**
 * Edit distances and the "did you mean" of names (parameters, options):
 * helpers that know nothing of the protocol.
 */

/**
 * Levenshtein distance between two strings: the fewest single-character
 * insertions, deletions and substitutions that turn `a` into `b`. The
 * "did you mean" of model names and of parameter names.
 *
 * @example
 * ```ts
 * editDistance('sise', 'size') // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length] as number
}

/** A name without case, `_` or `-`: `aspect_ratio`, `aspectRatio` and `AspectRatio` are one. */
const bareName = (name: string): string => name.replace(/[_-]/g, '').toLowerCase()

/**
 * The known name an unknown one most likely meant: the same name in another
 * case (`aspect_ratio` → `aspectRatio`), a name it is part of (`ratio` →
 * `aspectRatio`), or one a typo away (`sise` → `size`); `undefined` when
 * none is close.
 *
 * @example
 * ```ts
 * closestName('maxCredit', ['maxCredits', 'timeout']) // 'maxCredits'
 * ```
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const bare = bareName(name)
  let closest: string | undefined
  let best = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const other = bareName(candidate)
    if (other === bare) return candidate
    const score = bare.length >= 4 && other.includes(bare) ? 0.3 : editDistance(bare, other) / Math.max(bare.length, other.length)
    if (score < best) [closest, best] = [candidate, score]
  }
  return best <= 0.34 ? closest : undefined
}

/**
 * The names of `given` that are not in `known` and hold a value (a name set
 * to `undefined` is no value), each with the known name it most likely meant.
 *
 * @example
 * ```ts
 * unknownNames({ sise: '2K', prompt: 'x' }, ['prompt', 'size']) // [{ name: 'sise', meant: 'size' }]
 * ```
 */
export function unknownNames(given: object, known: readonly string[]): { name: string; meant: string | undefined }[] {
  return Object.keys(given)
    .filter((name) => !known.includes(name) && (given as Record<string, unknown>)[name] !== undefined)
    .map((name) => ({ name, meant: closestName(name, known) }))
}

/**
 * Unknown names in words for an error: each with the name it meant, when one is close.
 *
 * @example
 * ```ts
 * namesInWords([{ name: 'maxCredit', meant: 'maxCredits' }, { name: 'colour', meant: undefined }]) // 'maxCredit (did you mean maxCredits?), colour'
 * ```
 */
export function namesInWords(unknown: readonly { name: string; meant: string | undefined }[]): string {
  return unknown.map(({ name, meant }) => (meant ? `${name} (did you mean ${meant}?)` : name)).join(', ')
}

/**
 * The sentence that refuses the unknown names of `given`, or `undefined` when
 * every name is known: what each option list of the SDK says of a typo.
 *
 * @example
 * ```ts
 * unknownNamesSentence({ maxCredit: 9 }, ['maxCredits', 'timeout'], 'ImaClient option', 'options')
 * // 'Unknown ImaClient option maxCredit (did you mean maxCredits?) — the options are maxCredits, timeout'
 * ```
 */
export function unknownNamesSentence(given: object, known: readonly string[], what: string, listName: string): string | undefined {
  const unknown = unknownNames(given, known)
  if (unknown.length === 0) return undefined
  return `Unknown ${what} ${namesInWords(unknown)} — the ${listName} are ${known.join(', ')}`
}

/**
 * Checks the options object of a store's constructor: an object (or nothing)
 * whose names the store takes. A path passed bare (`new FileTaskJournal('./j.jsonl')`)
 * or a typo (`{ pth }`) would otherwise be dropped, and the store would use
 * its default — another user's file, another tenant's prefix.
 *
 * @example
 * ```ts
 * checkStoreOptions({ pth: './j.jsonl' }, ['path', 'retentionDays'], 'FileTaskJournal')
 * // throws TypeError: Unknown FileTaskJournal option pth (did you mean path?) — the options are path, retentionDays
 * ```
 */
export function checkStoreOptions(options: unknown, known: readonly string[], store: string): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`Expected new ${store}({ ${known.join(', ')} }) with an options object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : `a ${typeof options}`}`)
  }
  const refusal = unknownNamesSentence(options, known, `${store} option`, 'options')
  if (refusal) throw new TypeError(refusal)
}
