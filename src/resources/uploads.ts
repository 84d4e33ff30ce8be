import type { ClientContext } from '../core/context.js'

/**
 * Uploads: turns local bytes into the public https URLs image_to_image needs.
 * @public
 */
export class Uploads {
  readonly #context: ClientContext

  /** @internal */
  constructor(context: ClientContext) {
    this.#context = context
  }

  /** @internal The client context, for the upload implementation. */
  protected get context(): ClientContext {
    return this.#context
  }
}
