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
