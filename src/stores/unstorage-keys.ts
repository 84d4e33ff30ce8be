/**
 * Keys in an unstorage storage, shared by the unstorage-backed stores.
 * unstorage reads `:`, `/` and `\` as separators and drops anything after
 * `?`: a key segment holding those is escaped, others are kept as is.
 */

const UNSAFE_KEY_CHARACTERS = /[:/\\?%#\s]/

/**
 * One key segment (a user id, a journal ref) made safe for unstorage.
 * @example `encodeKeySegment('team:42') // 'team%3A42'`
 */
export function encodeKeySegment(segment: string): string {
  return UNSAFE_KEY_CHARACTERS.test(segment) ? encodeURIComponent(segment) : segment
}

/**
 * unstorage's own key normalisation, to compare keys it returns with ours.
 * @example `normaliseKey('ima/tasks::x') // 'ima:tasks:x'`
 */
export function normaliseKey(key: string): string {
  return key.replace(/[/\\]/g, ':').replace(/:+/g, ':').replace(/^:|:$/g, '')
}
