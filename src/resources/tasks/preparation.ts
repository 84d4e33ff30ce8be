import { checkAspectRatio, checkResolution, describeModel, offeredAspectRatio, sizeLongSide, type ModelInfo } from '../../catalog/capabilities.js'
import { resolveModelReference, type ResolvedModel } from '../../catalog/model-references.js'
import { scopeAllows } from '../../catalog/scopes.js'
import type { ClientContext } from '../context.js'
import type { RequestOptions } from '../../http/http-client.js'
import { ValidationError } from '../../errors.js'
import { PREFERENCE_BUDGET_MS, promiseFrom, valueWithin } from '../../internal/deadline.js'
import { planParameters, type ParameterPlan } from '../../protocol/create-body.js'
import type { ProductNode } from '../../schemas/products.js'
import type { TaskType } from '../../schemas/task-type.js'
import { leafOrNotFound } from '../../protocol/product-tree.js'
import type { ProductService } from '../products.js'

/** What a create or a quote asks for, after input validation. */
export interface CheckedCreateParams {
  taskType: TaskType
  /** A model id, version id, name, alias or tier; the user's preference or the scope default when absent. */
  model?: string
  versionId?: string
  userId?: string
  /** Whose per-chat budgets the create counts against. */
  chatId?: string
  /** The caller's journal reference for the create. */
  ref?: string
  size?: string
  aspectRatio?: string
  params?: Record<string, unknown>
  n: number
}

/** How the model was picked when the parameters did not name one. */
export type ModelSource = ResolvedModel['via'] | 'preference' | 'default'

/** Everything decided before a create is sent: the version, the rule, the parameters. */
export interface PreparedTask {
  taskType: TaskType
  leaf: ProductNode
  info: ModelInfo
  plan: ParameterPlan
  n: number
  /** How the model was chosen. */
  modelSource: ModelSource
  attributeId: number
  /** Points per image. */
  credit: number
  /** credit × n. */
  totalCredit: number
  /** The size that will be sent, when the version has one. */
  size: string | undefined
}

/** The size with the fewest points, the smallest among equals; `undefined` for a model without sizes. */
function cheapestSize(sizes: ModelInfo['sizes']): string | undefined {
  return [...sizes].sort((a, b) => a.points - b.points || (sizeLongSide(a.size) ?? 0) - (sizeLongSide(b.size) ?? 0))[0]?.size
}

/**
 * Decides the model (explicit > the user's saved preference > the scope's
 * default), the version, the credit rule and the parameters of a task,
 * refusing before any create what cannot be met. Shared by `tasks.create`
 * and `tasks.quote` so a quote is exactly what a create would send.
 *
 * @param request - the call's own options (checked with `checkRequestOptions`), for its read of the product list.
 */
export async function prepareTask(context: ClientContext, products: ProductService, checked: CheckedCreateParams, request: RequestOptions): Promise<PreparedTask> {
  const { scope, preferences } = context.config
  let reference = checked.model
  let modelSource: ModelSource | undefined
  if (reference === undefined && checked.userId !== undefined) {
    const { userId, taskType } = checked
    const reading = promiseFrom(() => preferences.get(userId, taskType)).catch((error: unknown) => {
      // An unreachable or unreadable store means "no preference", never a failed generation.
      context.config.logger.warn('ima preference unreadable', { taskType: checked.taskType, error })
      return undefined
    })
    // A store slower than this counts as "no preference": it never holds a generation back.
    const preferred = (await valueWithin(reading, PREFERENCE_BUDGET_MS, undefined))?.modelId
    // A model saved under a wider scope (another client, the skills' file) is not this client's to use: its default is.
    if (preferred !== undefined && scopeAllows(scope, preferred)) {
      reference = preferred
      modelSource = 'preference'
    } else if (preferred !== undefined) {
      context.config.logger.info('ima preference outside the scope', { taskType: checked.taskType, model: preferred, scope: scope.name })
    }
  }
  if (reference === undefined) {
    reference = scope.defaults[checked.taskType]
    modelSource = 'default'
  }

  const leaves = await products.versions(checked.taskType, request)
  const resolved = resolveModelReference(reference, { taskType: checked.taskType, scope, leaves })
  const leaf = leafOrNotFound(checked.taskType, leaves, resolved.modelId, checked.versionId ?? resolved.versionId)

  if (checked.size !== undefined) checkResolution(checked.size, scope)
  const info = describeModel(resolved.modelId, checked.taskType, leaf)
  // "The cheapest" is a price, not only a model: the budget tier takes its cheapest size unless one is named (Nano Banana2 512px, 4 points).
  const size = checked.size ?? (resolved.tier === 'budget' ? cheapestSize(info.sizes) : undefined)
  const given = checked.aspectRatio?.replace(/\s+/g, '')
  // A ratio in other terms is the same shape (7:3 is 21:9): sent as the model spells it.
  const ratio = given === undefined ? undefined : (offeredAspectRatio(given, info.aspectRatios) ?? given)
  if (ratio !== undefined) checkAspectRatio(ratio, info, scope)

  const plan = planParameters(leaf, {
    overrides: { ...checked.params, size, aspect_ratio: ratio },
    passThrough: info.aspectRatioMode === 'native' ? ['aspect_ratio'] : [],
  })
  if (plan.issues.length > 0) {
    throw new ValidationError(plan.issues.map((issue) => issue.message).join('; '), plan.issues)
  }
  const { rule } = plan.choice
  const sizeValue = plan.choice.canonical.size ?? plan.extras.size ?? plan.defaults.size
  return {
    taskType: checked.taskType,
    leaf,
    info,
    plan,
    n: checked.n,
    modelSource: modelSource ?? resolved.via,
    attributeId: rule.attribute_id,
    credit: rule.points,
    totalCredit: rule.points * checked.n,
    size: sizeValue === undefined ? undefined : String(sizeValue),
  }
}
