/** This SDK's version (kept equal to package.json by a test). @public */
export const SDK_VERSION = '0.2.0'
/** The SDK's name as sent in `User-Agent`. */
export const SDK_NAME = 'ima-open-sdk'
