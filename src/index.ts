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
export { DEFAULT_BASE_URL, DEFAULT_UPLOAD_BASE_URL, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_RETRIES } from './core/config.js'
export {
  ImaError,
  ImaConfigError,
  ValidationError,
  ModelNotFoundError,
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
} from './core/events.js'
export { noopLogger, type ImaLogger, type LogFields } from './core/logger.js'
export { Products, type ProductRequestOptions, type ProductFindOptions } from './resources/products.js'
export { Uploads } from './resources/uploads.js'
export { Tasks, MAX_PROMPT_LENGTH, MAX_IMAGES_PER_TASK, DEFAULT_WAIT_TIMEOUT_MS } from './resources/tasks.js'
export type {
  CreatedTask,
  TaskCreateParams,
  TaskDetail,
  TaskEvent,
  TaskMedia,
  TaskModel,
  TaskRef,
  TaskResult,
  WaitOptions,
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
export { MODEL_CATALOG, findModelCapabilities, type ModelCapabilities } from './catalog/models.js'
export { MemoryPreferenceStore, type ModelPreference, type PreferenceStore } from './stores/preferences.js'
export { SDK_VERSION } from './version.js'
