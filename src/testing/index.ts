/**
 * `ima-open-sdk/testing`: a local IMA server for integration tests, demos and
 * users' own tests. Public exports only.
 */
export { DEFAULT_TEST_API_KEY } from './server-options.js'
export type { ImaServerOptions, TaskProgression } from './server-options.js'
export { startImaServer } from './server.js'
export type { ImaServer, LocalClientOptions } from './server.js'
export type { ImaServerCa } from './tls.js'
export type { RecordedRequest, ServerTask, ServerUpload } from './records.js'
export type { ServerCreditRule, ServerFormField, ServerProductNode, TaskCategory } from './catalog.js'
export type { FaultRule, ServerFault } from './faults.js'
export type { ServerWarning, ServerWarningCode } from './warnings.js'
export type { CatalogDrift, CatalogDriftChange, RuleAttributeValue } from './catalog-drift.js'
export { describePreferenceStoreContract, type ContractTestApi, type PreferenceStoreContractOptions } from './preference-store-contract.js'
export { describeTaskJournalContract, type TaskJournalContractOptions } from './task-journal-contract.js'
