import { attachLocalSourceReader, ImaClient as CoreImaClient } from '../client.js'
import type { ImaClientOptions } from '../client-options.js'
import { nodeLocalSourceReader } from './local-source.js'

/**
 * The IMA client for Node: everything the `ImaClient` of `ima-open-sdk`
 * does, and image sources only Node can read — local file paths, `file:`
 * URLs and Node `Readable` streams — in `ima.uploads.put()` and
 * `tasks.create({ inputImages })`. Files are streamed, never read whole.
 *
 * @example
 * ```ts
 * import { ImaClient } from 'ima-open-sdk/node'
 * const ima = new ImaClient() // apiKey from IMA_API_KEY
 * const { url } = await ima.generate({ model: 'doubao-seedream-4.5', prompt: 'as a watercolour', inputImages: ['./cat.png'] })
 * ```
 * @public
 */
export class ImaClient extends CoreImaClient {
  static {
    // The bundle holds the core's ImaClient too, so the build renames this class (`ImaClient2`);
    // its name is what `inspect`, stack traces and loggers show.
    Object.defineProperty(this, 'name', { value: 'ImaClient' })
  }

  /**
   * @param options - the same options as the core client; see `ImaClientOptions` in the main entry.
   * @throws ImaConfigError for an option of the wrong type or a non-https base URL.
   */
  constructor(options: ImaClientOptions = {}) {
    super(options)
    attachLocalSourceReader(this, nodeLocalSourceReader)
  }
}
