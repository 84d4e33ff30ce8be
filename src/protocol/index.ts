/**
 * `ima-open-sdk/protocol` — the IMA Open API's rules as pure functions, for
 * those who build their own client or check one: which credit rule a create
 * must carry, how virtual form fields resolve, how a task's status reads, how
 * the upload token is signed, what an image's bytes say it is, and which URLs
 * the service takes. No I/O; the client in the main entry uses these same
 * functions.
 *
 * @packageDocumentation
 */
export { chooseCreditRule, normaliseAttributeValue, ruleParameters, type CreditRuleChoice, type RuleMatch } from './credit-rules.js'
export { resolveVirtualField, readFormDefaults, type FormDefaults } from './virtual-fields.js'
export { readTaskStatus, progressPercent, type TaskState, type TaskStatusReading, type ResourceStatus } from './task-status.js'
export { listVersionLeaves, findVersionLeaf } from './product-tree.js'
export { checkServiceURL, isServiceURL, isLoopbackHost, describeUrlProblem, shownURL, type UrlProblem, type UrlVerdict } from './urls.js'
export { uploadSignature, UPLOAD_TOKEN_PATH } from '../core/upload-sign.js'
export { sniffImageType, IMAGE_SNIFF_BYTES, type ImageType, type ImageMime } from '../core/image-type.js'
