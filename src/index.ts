/**
 * ima-open-sdk — a typed client for the IMA Open API (text-to-image and
 * image-to-image). This entry is isomorphic: Node, Bun, Deno, workers and
 * browsers. Node-only helpers live in `ima-open-sdk/node`; the local IMA
 * server for tests in `ima-open-sdk/testing`.
 *
 * @packageDocumentation
 */
export { ImaClient, type GenerateParams, type GenerateResult } from './client.js'
export type { ImaClientOptions, ImaLanguage } from './core/config.js'
export { DEFAULT_BASE_URL, DEFAULT_UPLOAD_BASE_URL, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_RETRIES, DEFAULT_PRODUCT_CACHE_TTL_MS } from './core/config.js'
export {
  ImaError,
  ImaConfigError,
  ValidationError,
  ModelNotFoundError,
  BudgetExceededError,
  ApiError,
  AuthenticationError,
  InsufficientPointsError,
  CreditMismatchError,
  AttributeMismatchError,
  BadRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ServiceUnavailableError,
  ResponseValidationError,
  ConnectionError,
  RequestTimeoutError,
  CreateOutcomeUnknownError,
  ImaAbortError,
  TaskFailedError,
  TaskTimeoutError,
  type FieldIssue,
  type RequestTarget,
} from './core/errors.js'
export type {
  ImaEvents,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  TaskCreatedEvent,
  TaskFailedEvent,
  TaskPollFailedEvent,
  TaskOutcomeUnknownEvent,
  TaskDetachedSettledEvent,
} from './core/events.js'
export { MemoryTaskJournal, type TaskJournal, type JournalEntry, type JournalState } from './stores/task-journal.js'
export { UnstorageTaskJournal, type UnstorageTaskJournalOptions } from './stores/unstorage-task-journal.js'
export { noopLogger, type ImaLogger, type LogFields } from './core/logger.js'
export { consoleLogger, pinoLogger, levelEnabled, LOG_LEVELS, type LogLevel, type ConsoleLoggerOptions, type ConsoleLike, type PinoLike } from './core/logger.js'
export { UnstoragePreferenceStore, DEFAULT_UNSTORAGE_PREFIX, type KeyValueStorage, type UnstoragePreferenceStoreOptions } from './stores/unstorage.js'
export { Preferences, type RememberOptions } from './resources/preferences.js'
export { Products, type ProductRequestOptions, type ProductFindOptions } from './resources/products.js'
export { Uploads } from './resources/uploads.js'
export { Tasks } from './resources/tasks.js'
export { DEFAULT_WAIT_TIMEOUT_MS, DEFAULT_MAX_POLL_FAILURES } from './resources/task-waiting.js'
export { planPollSchedule, type PollPhase } from './resources/task-polling.js'
export { MAX_PROMPT_LENGTH, MAX_IMAGES_PER_TASK } from './resources/task-wish.js'
export type {
  CreatedTask,
  TaskCreateParams,
  TaskDetail,
  TaskEvent,
  TaskMedia,
  TaskModel,
  TaskRef,
  TaskResult,
  TaskCharge,
  TaskQuote,
  TaskQuoteParams,
  WaitOptions,
  RecentTasksOptions,
  ResumeOutcome,
} from './resources/task-types.js'
export type {
  AttributeValue,
  CreditRule,
  FormField,
  FormFieldOption,
  ProductNode,
  UiParam,
  ValueMappingRule,
} from './schemas/products.js'
export { productNodeSchema, productListSchema } from './schemas/products.js'
export { createBodySchema, wireTaskDetailSchema, TASK_TYPES, type CreateTaskBody, type TaskType, type WireMedia } from './schemas/tasks.js'
export { chooseCreditRule, normaliseAttributeValue, ruleParameters, type CreditRuleChoice, type RuleMatch } from './protocol/credit-rules.js'
export { resolveVirtualField, readFormDefaults, type FormDefaults } from './protocol/virtual-fields.js'
export { readTaskStatus, progressPercent, type TaskState, type TaskStatusReading, type ResourceStatus } from './protocol/task-status.js'
export { listVersionLeaves, findVersionLeaf } from './protocol/product-tree.js'
export { MODEL_CATALOG, findModelCapabilities, type ModelCapabilities, type SizeOffer } from './catalog/models.js'
export { FULL_CATALOG_SCOPE, NANO_BANANA_SCOPE, scopeFromModels, type ModelScope, type ModelTier } from './catalog/scopes.js'
export { resolveModelReference, type ResolvedModel, type ModelReferenceKind } from './catalog/model-references.js'
export { describeModel, nearestAspectRatio, sizeLongSide, type ModelInfo } from './catalog/capabilities.js'
export { MemoryPreferenceStore, type ModelPreference, type PreferenceStore } from './stores/preferences.js'
export { SDK_VERSION } from './version.js'
export {
  type UploadSource,
  type UploadOptions,
  type UploadResult,
  type UploadAllOptions,
  DEFAULT_UPLOAD_CONCURRENCY,
} from './resources/uploads.js'
export { UPLOAD_CACHE_ENTRIES } from './resources/upload-limits.js'
export { DEFAULT_MAX_UPLOAD_BYTES } from './core/config.js'
export type { UploadProgressEvent, UploadCompletedEvent } from './core/events.js'
export { sniffImageType, IMAGE_SNIFF_BYTES, type ImageType, type ImageMime } from './core/image-type.js'
export { uploadSignature, UPLOAD_TOKEN_PATH } from './core/upload-sign.js'
export {
  translateError,
  CHAT_ERROR_KINDS,
  CHAT_BANNED_TERMS,
  findBannedTerms,
  suggestAlternatives,
  createChatReporter,
  chatProgressPercent,
  chatTexts,
  parseRequest,
  acknowledge,
} from './chat/index.js'
export type {
  ChatLanguage,
  TranslatedError,
  ChatErrorKind,
  BannedTerm,
  ChatAlternative,
  ChatMessage,
  ChatClock,
  ChatReporter,
  ChatReporterClient,
  ChatReporterOptions,
  ChatGenerateParams,
  ChatOutcome,
  ChatRequest,
  ParseRequestOptions,
} from './chat/index.js'
