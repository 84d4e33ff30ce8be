/** `ima quote`: what a picture would cost, and with which rule, without spending anything. */
import type { CommandInput } from '../command.js'
import { createClient, readCommon } from '../common.js'
import { out } from '../io.js'
import type { QuoteOptions } from '../options.js'
import { pictureParams, promptOf } from './generate.js'

/**
 * A stand-in input image for quoting image_to_image without one: a quote
 * only checks that an input exists; it never uploads or sends it.
 */
const QUOTE_PLACEHOLDER_IMAGE = 'https://example.com/quote-input.png'

/** `ima quote`: `tasks.quote` for the same options as `ima generate`. */
export async function run({ options, words, io }: CommandInput<QuoteOptions>): Promise<void> {
  const ima = createClient(readCommon(options, io))
  // The prompt does not change the price; the SDK still wants one.
  const params = pictureParams(options, promptOf(words) || 'price check')
  if (params.taskType === 'image_to_image' && !params.inputImages) params.inputImages = [QUOTE_PLACEHOLDER_IMAGE]
  const quote = await ima.tasks.quote(params)
  const [fastest, slowest] = quote.estimatedSeconds
  if (options.json) {
    out(
      io,
      JSON.stringify({
        task_type: quote.taskType,
        model_id: quote.model.id,
        model_name: quote.model.name,
        version_id: quote.model.version,
        attribute_id: quote.attributeId,
        size: quote.size ?? null,
        credit: quote.credit,
        n: quote.n,
        total_credit: quote.totalCredit,
        estimated_seconds: [fastest, slowest],
        within_budget: quote.withinBudget,
      }),
    )
    return
  }
  const each = quote.n > 1 ? ` (${quote.credit} × ${quote.n})` : ''
  out(
    io,
    `${quote.model.name} (${quote.model.id}, version ${quote.model.version})${quote.size ? ` at ${quote.size}` : ''}: ${quote.totalCredit} pts${each} · attribute ${quote.attributeId} · usually ${fastest}–${slowest} s${quote.withinBudget ? '' : ' · over --max-credits'}`,
  )
}
