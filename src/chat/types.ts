/**
 * Types shared by the chat helpers. Kept apart so `translate-error.ts`,
 * the reporter and the parser can all use them without importing each other.
 */

/**
 * The language a chat message is written in: `zh` for Chinese, `en` for
 * everything else (the seeds only ship these two).
 * @public
 */
export type ChatLanguage = 'en' | 'zh'
