/**
 * Reading what survives of a JSON object file that was cut short — the
 * skills' Python writer rewrites `ima_prefs.json` in place, so a kill or a
 * concurrent read can see only its first part.
 */

/**
 * The complete top-level members of a JSON object text that does not parse
 * as a whole (cut short, or garbage after it): every `"key": value` whose
 * value is complete and parses, in order, up to the first one that is not.
 * `undefined` when the text does not start as an object.
 *
 * Only whole members are kept — a member cut in the middle is dropped rather
 * than guessed at, since a half-written string would be a wrong value.
 *
 * @example
 * ```ts
 * recoverObjectMembers('{"user_1": {"text_to_image": {"model_id": "a"}}, "user_2": {"text_to_im')
 * // { user_1: { text_to_image: { model_id: 'a' } } }
 * ```
 * @public
 */
export function recoverObjectMembers(text: string): Record<string, unknown> | undefined {
  const source = text.replace(/^\uFEFF/, '')
  let at = skipSpace(source, 0)
  if (source[at] !== '{') return undefined
  const members: Record<string, unknown> = {}
  at += 1
  for (;;) {
    at = skipSpace(source, at)
    if (source[at] !== '"') return members
    const keyEnd = stringEnd(source, at)
    if (keyEnd === undefined) return members
    const key = parseOrUndefined(source.slice(at, keyEnd))
    at = skipSpace(source, keyEnd)
    if (typeof key !== 'string' || source[at] !== ':') return members
    const valueStart = skipSpace(source, at + 1)
    const valueEnd = scanValueEnd(source, valueStart)
    if (valueEnd === undefined) return members
    const slice = source.slice(valueStart, valueEnd)
    let value: unknown
    try {
      value = JSON.parse(slice)
    } catch {
      return members
    }
    // Only a member followed by `,` or `}` is known to be whole (a number cut short still parses).
    at = skipSpace(source, valueEnd)
    if (source[at] !== ',' && source[at] !== '}') return members
    Object.defineProperty(members, key, { value, enumerable: true, writable: true, configurable: true })
    if (source[at] === '}') return members
    at += 1
  }
}

function skipSpace(source: string, at: number): number {
  while (at < source.length && ' \t\r\n'.includes(source[at] as string)) at += 1
  return at
}

function parseOrUndefined(slice: string): unknown {
  try {
    return JSON.parse(slice)
  } catch {
    return undefined
  }
}

/** The index just after the string starting at `at`, or `undefined` when it is not closed. */
function stringEnd(source: string, at: number): number | undefined {
  for (let index = at + 1; index < source.length; index += 1) {
    const char = source[index]
    if (char === '\\') index += 1
    else if (char === '"') return index + 1
  }
  return undefined
}

/** The index just after the value starting at `at`, or `undefined` when the text ends first. */
function scanValueEnd(source: string, at: number): number | undefined {
  const first = source[at]
  if (first === undefined) return undefined
  if (first === '"') return stringEnd(source, at)
  if (first === '{' || first === '[') {
    let depth = 0
    for (let index = at; index < source.length; index += 1) {
      const char = source[index]
      if (char === '"') {
        const end = stringEnd(source, index)
        if (end === undefined) return undefined
        index = end - 1
      } else if (char === '{' || char === '[') depth += 1
      else if (char === '}' || char === ']') {
        depth -= 1
        if (depth === 0) return index + 1
      }
    }
    return undefined
  }
  // A number, true, false or null: up to the next delimiter (the caller checks one follows).
  let index = at
  while (index < source.length && !',}] \t\r\n'.includes(source[index] as string)) index += 1
  return index
}
