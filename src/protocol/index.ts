/**
 * `ima-open-sdk/protocol` — the IMA Open API's rules as pure functions, for
 * those who build their own client or check one: which credit rule a create
 * must carry, how virtual form fields resolve, how a task's status reads, how
 * the upload token is signed, what an image's bytes say it is, which URLs
 * the service takes, how often a task is polled — and the model catalog
 * (sizes, ratios, timings, names). No I/O; the client in the main entry uses
 * these same functions.
 *
 * @packageDocumentation
 */
export { chooseCreditRule, normaliseAttributeValue, ruleParameters, type CreditRuleChoice, type RuleMatch } from './credit-rules.js'
export { resolveVirtualField, readFormDefaults, type FormDefaults } from './virtual-fields.js'
export { readTaskStatus, progressPercent, type TaskState, type TaskStatusReading, type ResourceStatus } from './task-status.js'
export { planPollSchedule, nextPollAt, MIN_POLL_INTERVAL_MS, MAX_POLL_INTERVAL_MS, type PollPhase, type PollScheduleInput } from './poll-schedule.js'
export { listVersionLeaves, findVersionLeaf } from './product-tree.js'
export { checkServiceURL, isServiceURL, isLoopbackHost, describeUrlProblem, shownURL, type UrlProblem, type UrlVerdict } from './urls.js'
export { uploadSignature, UPLOAD_TOKEN_PATH } from './upload-sign.js'
export { sniffImageType, IMAGE_SNIFF_BYTES, type ImageType, type ImageMime } from './image-type.js'
export { TASK_TYPES, type TaskType } from '../schemas/task-type.js'
export type { CreateTaskBody, CreateTaskParameter, WireMedia, WireTaskDetail } from '../schemas/tasks.js'
export type { AttributeValue, CreditRule, FormField, FormFieldOption, ProductNode, UiParam, ValueMappingRule } from '../schemas/products.js'
export { inferTaskType } from './create-body.js'
export { leafOrNotFound } from './product-tree.js'
export { DEFAULT_BASE_URL, DEFAULT_UPLOAD_BASE_URL } from '../http/transport-options.js'
// The catalog is the SDK's knowledge of the models, public here beside the rules.
export { MODEL_CATALOG, findModelCapabilities, type ModelCapabilities, type SizeOffer } from '../catalog/models.js'
export { resolveModelReference, type ResolvedModel, type ModelReferenceKind } from '../catalog/model-references.js'
export { describeModel, nearestAspectRatio, sizeLongSide, type ModelInfo } from '../catalog/capabilities.js'
