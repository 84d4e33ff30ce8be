/**
 * Node-only helpers of ima-open-sdk: file downloads (and, later, file
 * uploads and file-backed stores). Import from `ima-open-sdk/node`.
 *
 * @packageDocumentation
 */
export { downloadResult, DEFAULT_DOWNLOAD_MAX_BYTES, type DownloadOptions, type DownloadResult } from './download.js'
export { ImaClient } from './client.js'
export { FilePreferenceStore, defaultPreferencesPath, type FilePreferenceStoreOptions } from './stores/file-preference-store.js'
export { FileLogStore, defaultLogDir, type FileLogStoreOptions } from './stores/file-log-store.js'
export { FileTaskJournal, defaultJournalPath, type FileTaskJournalOptions, type JournalCompaction } from './stores/file-task-journal.js'
export { FileLockTimeoutError, FileLockCompromisedError, FileStoreConflictError } from './stores/file-lock.js'
