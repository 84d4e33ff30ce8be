/**
 * Chat helpers for skills and bots that embed the SDK: the user-experience
 * protocol of the skill documents (acknowledge, start notice, capped
 * progress, success caption or translated failure with alternatives),
 * error translation and intent parsing, in English and Chinese. Isomorphic:
 * nothing here imports `node:` modules.
 */
export type { ChatLanguage } from './types.js'
export { translateError, CHAT_ERROR_KINDS } from './translate-error.js'
export type { TranslatedError, ChatErrorKind, TranslateErrorOptions } from './translate-error.js'
export { CHAT_BANNED_TERMS, findBannedTerms } from './banned-terms.js'
export type { BannedTerm } from './banned-terms.js'
export { suggestAlternatives } from './alternatives.js'
export type { ChatAlternative } from './alternatives.js'
export { createChatReporter, chatTexts } from './reporter.js'
export type { ChatMessage, ChatClock, ChatReporter, ChatReporterClient, ChatReporterOptions, ChatGenerateParams, ChatResumeParams, ChatOutcome } from './reporter.js'
export { parseRequest } from './parse-request.js'
export type { ChatRequest, ParseRequestOptions } from './parse-request.js'
export { acknowledge } from './acknowledge.js'
