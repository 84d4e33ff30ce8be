/**
 * ima-open-sdk — a typed client for the IMA Open API (text-to-image and
 * image-to-image). This entry is isomorphic: Node, Bun, Deno, workers and
 * browsers. It holds the client, its types, the error classes, loggers,
 * stores and scopes. Elsewhere: `ima-open-sdk/node` (files, the file stores),
 * `ima-open-sdk/testing` (the local IMA server), `ima-open-sdk/chat` (the
 * chat toolkit for bots and skills), `ima-open-sdk/protocol` (the protocol's
 * rules as pure functions, and the model catalog).
 *
 * @packageDocumentation
 */
export { ImaClient, type GenerateParams, type GenerateResult } from './client.js'
export type { ImaClientOptions } from './client-options.js'
export type { CoreOptions, ImaLanguage } from './http/transport-options.js'
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
  ResponseTooLargeError,
  ConnectionError,
  RequestTimeoutError,
  CreateOutcomeUnknownError,
  DuplicateCreateError,
  ImaAbortError,
  TaskFailedError,
  TaskTimeoutError,
  type FieldIssue,
  type RequestTarget,
} from './errors.js'
export type {
  ImaEvents,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  TaskCreatedEvent,
  TaskFailedEvent,
  TaskPollFailedEvent,
  TaskOutcomeUnknownEvent,
  UploadProgressEvent,
  UploadCompletedEvent,
  HttpEvents,
  TaskEvents,
  UploadEvents,
  TaskDetachedSettledEvent,
} from './events.js'
export { MemoryTaskJournal, type TaskJournal, type JournalEntry, type JournalState } from './stores/task-journal.js'
export { UnstorageTaskJournal, type UnstorageTaskJournalOptions } from './stores/unstorage-task-journal.js'
export { noopLogger, consoleLogger, pinoLogger, type ImaLogger, type LogFields, type LogLevel, type ConsoleLoggerOptions, type ConsoleLike, type PinoLike } from './logger.js'
export { UnstoragePreferenceStore, type KeyValueStorage, type UnstoragePreferenceStoreOptions } from './stores/unstorage.js'
export { MemoryPreferenceStore, type ModelPreference, type PreferenceStore } from './stores/preferences.js'
export {
  MemoryBudgetStore,
  MemoryLeaseStore,
  type BudgetCounter,
  type BudgetLimit,
  type BudgetReservation,
  type BudgetSettlement,
  type BudgetStore,
  type BudgetVerdict,
  type BudgetWindow,
  type LeaseStore,
} from './stores/budget-store.js'
export { FULL_CATALOG_SCOPE, NANO_BANANA_SCOPE, scopeFromModels, type ModelScope, type ModelTier } from './catalog/scopes.js'
export { SDK_VERSION } from './version.js'
// The resources are reached through the client (`ima.tasks`…): their classes are types only.
export type { Preferences, Products, Tasks, Uploads } from './resources/facades.js'
export type { RememberOptions } from './resources/preferences.js'
export type { ProductRequestOptions, ProductFindOptions } from './resources/products.js'
export type { UploadSource, UploadOptions, UploadResult, UploadAllOptions } from './resources/uploads/index.js'
export type { RequestOptions } from './http/http-client.js'
export type {
  CreatedTask,
  TaskCreateParams,
  TaskDetail,
  TaskEvent,
  TaskEventBase,
  TaskProgressEvent,
  TaskSuccessEvent,
  TaskFailureEvent,
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
} from './resources/tasks/types.js'
export type { ModelInfo } from './catalog/capabilities.js'
export type { TaskType } from './schemas/task-type.js'
export type { AttributeValue, CreditRule, FormField, FormFieldOption, ProductNode, UiParam, ValueMappingRule } from './schemas/products.js'
