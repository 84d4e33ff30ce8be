/** `ima quote`: what a picture would cost, and with which rule, without spending anything. */
import type { CommandInput } from '../command.js'
import { createClient, QUOTE_PLACEHOLDER_IMAGE, readCommon } from '../common.js'
import { CliError } from '../errors.js'
import { out } from '../io.js'
import { wordsFor } from '../messages.js'
import type { QuoteOptions } from '../options.js'
import { pictureParams, promptOf } from './generate.js'

/**
 * `ima quote`: `tasks.quote` for the same options as `ima generate`. Over
 * `--max-credits`, the quote is still printed, then the refusal: exit 1, as
 * `ima generate` would refuse the same task.
 */
export async function run({ options, words: prompt, io }: CommandInput<QuoteOptions>): Promise<void> {
  const common = readCommon(options, io)
  const words = wordsFor(common.language)
  const ima = createClient(common)
  // The prompt does not change the price; the SDK still wants one.
  const params = pictureParams(options, promptOf(prompt) || 'price check')
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
  } else {
    out(
      io,
      words.quote({
        model: quote.model.name,
        modelId: quote.model.id,
        version: quote.model.version,
        size: quote.size,
        totalPoints: quote.totalCredit,
        points: quote.credit,
        n: quote.n,
        attributeId: quote.attributeId,
        fastest,
        slowest,
      }),
    )
  }
  if (!quote.withinBudget) {
    const { message, hint } = words.overBudget(quote.totalCredit, options.maxCredits ?? 0)
    throw new CliError(message, { hint })
  }
}
