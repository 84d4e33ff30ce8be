/**
 * The API's paths (protocol §2–3), named once: the resources send to them,
 * and the error mapping reads them to give the advice that fits the call.
 */

/** Lists the product tree (models, versions, credit rules). */
export const PRODUCT_LIST_PATH = '/open/v1/product/list'
/** Creates a task: the one call that costs credits. */
export const CREATE_TASK_PATH = '/open/v1/tasks/create'
/** Reads one task's status and results. */
export const TASK_DETAIL_PATH = '/open/v1/tasks/detail'
