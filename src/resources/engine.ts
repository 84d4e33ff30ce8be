/**
 * Everything behind the client's resources: the HTTP layer, the product
 * list, uploads, tasks and preferences. The client loads this module on its
 * first call (`import()`), so importing `ima-open-sdk` and constructing a
 * client costs only the options, the errors and the event emitter; a bundler
 * puts this module and what it needs (zod, ofetch, the protocol rules, the
 * catalog) into a chunk of its own.
 */
import { HttpClient } from '../http/http-client.js'
import type { ClientContext, CoreContext } from './context.js'
import { PreferenceService } from './preferences.js'
import { ProductService } from './products.js'
import { TaskService } from './tasks/tasks.js'
import { UploadService } from './uploads/index.js'

/**
 * The resources' implementations, built once per client.
 *
 * @example
 * ```ts
 * const engine = createEngine(core)
 * const tree = await engine.products.list('text_to_image')
 * ```
 */
export interface Engine {
  readonly products: ProductService
  readonly uploads: UploadService
  readonly tasks: TaskService
  readonly preferences: PreferenceService
}

/**
 * Builds a client's engine over what the client holds.
 *
 * @example
 * ```ts
 * const engine = createEngine({ config, emit, budget })
 * ```
 */
export function createEngine(core: CoreContext): Engine {
  const context: ClientContext = { ...core, http: new HttpClient(core.config, core.emit) }
  const products = new ProductService(context)
  const uploads = new UploadService(context)
  return { products, uploads, tasks: new TaskService(context, products, uploads), preferences: new PreferenceService(context, products) }
}
