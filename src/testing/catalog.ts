/**
 * The product trees the local server answers `GET /open/v1/product/list` with.
 *
 * The shapes and ids mirror the live IMA catalog (protocol §1 and §6). Some
 * traps are deliberate, because real clients must survive them: an older
 * version of a model sits before the newer one (clients must take the LAST
 * leaf), a leaf sits at the top level next to groups, leaves sit at depth 3,
 * and nodes carry unknown extra fields that clients must keep.
 */

/** The two task categories the IMA Open API knows. */
export type TaskCategory = 'text_to_image' | 'image_to_image'

/** The categories, in a stable order, for loops and validation. */
export const TASK_CATEGORIES: readonly TaskCategory[] = ['text_to_image', 'image_to_image']

/** One credit rule of a version leaf: which parameter values cost how many points. */
export interface ServerCreditRule {
  attribute_id: number
  points: number
  /** May hold the marker `{ default: 'enabled' }`, which is not a parameter. */
  attributes: Record<string, string | number | boolean>
}

/** One form field of a version leaf (defaults, options, virtual mappings). */
export interface ServerFormField {
  field: string
  type?: string
  value?: unknown
  options?: { label: string; value: unknown }[]
  is_ui_virtual?: boolean
  ui_params?: { field?: string; id?: string; value: unknown }[]
  value_mapping?: { mapping_rules: { source_values: Record<string, unknown>; target_value: unknown }[] }
}

/**
 * A node of the V2 product tree: a model group (type '2') or a version leaf
 * (type '3'). Extra keys are allowed because the live service adds fields
 * without notice and clients must keep them.
 */
export type ServerProductNode = {
  id: string
  type: '2' | '3'
  name: string
  model_id: string
  children?: ServerProductNode[] | null
  credit_rules?: ServerCreditRule[]
  form_config?: ServerFormField[]
  [extra: string]: unknown
}

/** Per-category numbers: the only thing that differs between the two trees. */
interface CategoryNumbers {
  seedream: number
  nanoBanana2Legacy: [number, number, number, number]
  nanoBanana2: [number, number, number, number]
  nanoBananaPro: [number, number, number]
  nanoBananaProPoints: [number, number, number]
  midjourneyLegacy: [number, number]
  midjourney: [number, number]
}

const NUMBERS: Record<TaskCategory, CategoryNumbers> = {
  text_to_image: {
    seedream: 2341,
    nanoBanana2Legacy: [4300, 4301, 4302, 4303],
    nanoBanana2: [4400, 4401, 4402, 4403],
    nanoBananaPro: [2399, 2400, 2401],
    nanoBananaProPoints: [10, 10, 18],
    midjourneyLegacy: [5401, 5402],
    midjourney: [5451, 5452],
  },
  image_to_image: {
    seedream: 1611,
    nanoBanana2Legacy: [4310, 4311, 4312, 4313],
    nanoBanana2: [4404, 4405, 4406, 4407],
    nanoBananaPro: [2402, 2403, 2404],
    nanoBananaProPoints: [10, 10, 10],
    midjourneyLegacy: [5411, 5412],
    midjourney: [5453, 5454],
  },
}

const NATIVE_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4']

/** SeeDream's virtual size: an aspect ratio chosen in the UI maps to pixel dimensions. */
const SEEDREAM_RATIO_SIZES: [string, string][] = [
  ['1:1', '2048x2048'],
  ['16:9', '2560x1440'],
  ['9:16', '1440x2560'],
  ['4:3', '2304x1728'],
  ['3:4', '1728x2304'],
  ['2:3', '1664x2496'],
  ['3:2', '2496x1664'],
  ['21:9', '3024x1296'],
]

function tagsField(field: string, value: string, values: string[]): ServerFormField {
  return { field, type: 'tags', value, options: values.map((v) => ({ label: v, value: v })) }
}

/** Rules keyed by size, where the first listed size carries the default marker unless told otherwise. */
function sizeRules(
  ids: readonly number[],
  points: readonly number[],
  sizes: readonly string[],
  defaultSize: string,
): ServerCreditRule[] {
  return sizes.map((size, i): ServerCreditRule => {
    const attributes: ServerCreditRule['attributes'] = size === defaultSize ? { size, default: 'enabled' } : { size }
    return { attribute_id: ids[i] ?? 0, points: points[i] ?? 0, attributes }
  })
}

function seedreamLeaf(n: CategoryNumbers): ServerProductNode {
  return {
    id: 'doubao-seedream-4-5-251128',
    type: '3',
    name: 'SeeDream 4.5',
    model_id: 'doubao-seedream-4.5',
    children: null,
    icon_url: 'https://cdn.example.invalid/icons/seedream.png',
    sort: 10,
    tags: ['recommended'],
    credit_rules: [{ attribute_id: n.seedream, points: 5, attributes: { default: 'enabled' } }],
    form_config: [
      {
        field: 'size',
        type: 'tags',
        is_ui_virtual: true,
        value: '2k',
        options: [
          { label: '2K', value: '2k' },
          { label: '4K', value: '4k' },
        ],
        ui_params: [{ field: 'aspect_ratio', value: '1:1' }],
        value_mapping: {
          mapping_rules: SEEDREAM_RATIO_SIZES.map(([ratio, size]) => ({
            source_values: { aspect_ratio: ratio },
            target_value: size,
          })),
        },
      },
    ],
  }
}

function nanoBanana2Leaf(id: string, ids: readonly number[], extra: Record<string, unknown>): ServerProductNode {
  return {
    id,
    type: '3',
    name: 'Nano Banana2',
    model_id: 'gemini-3.1-flash-image',
    ...extra,
    credit_rules: sizeRules(ids, [4, 6, 10, 13], ['512px', '1K', '2K', '4K'], '1K'),
    form_config: [
      tagsField('size', '1K', ['512px', '1K', '2K', '4K']),
      tagsField('aspect_ratio', '1:1', NATIVE_RATIOS),
    ],
  }
}

function midjourneyLeaf(id: string, ids: readonly number[], points: readonly number[]): ServerProductNode {
  return {
    id,
    type: '3',
    name: 'Midjourney',
    model_id: 'midjourney',
    credit_rules: sizeRules(ids, points, ['480p', '720p'], '480p'),
    form_config: [tagsField('size', '480p', ['480p', '720p'])],
  }
}

/**
 * Builds the default tree of one category. One function builds both, so the
 * two trees can differ only in attribute ids and points.
 */
export function buildDefaultCatalog(category: TaskCategory): ServerProductNode[] {
  const n = NUMBERS[category]
  return [
    {
      id: 'SeeDream',
      type: '2',
      name: 'SeeDream',
      model_id: '',
      icon_url: 'https://cdn.example.invalid/icons/seedream-group.png',
      children: [seedreamLeaf(n)],
    },
    {
      id: 'NanoBanana',
      type: '2',
      name: 'Nano Banana',
      model_id: '',
      sort: 20,
      children: [
        {
          id: 'NanoBanana2-legacy',
          type: '2',
          name: 'Nano Banana2 (legacy)',
          model_id: '',
          children: [
            // The older version, deeper and earlier: a client that takes the first leaf gets wrong ids.
            nanoBanana2Leaf('gemini-3.1-flash-image-exp-0826', n.nanoBanana2Legacy, { children: null, deprecated: true }),
          ],
        },
        nanoBanana2Leaf('gemini-3.1-flash-image-preview', n.nanoBanana2, { tags: ['fast', 'budget'] }),
        {
          id: 'gemini-3-pro-image-preview',
          type: '3',
          name: 'Nano Banana Pro',
          model_id: 'gemini-3-pro-image',
          children: null,
          credit_rules: sizeRules(n.nanoBananaPro, n.nanoBananaProPoints, ['1K', '2K', '4K'], '1K'),
          form_config: [tagsField('size', '1K', ['1K', '2K', '4K']), tagsField('aspect_ratio', '1:1', NATIVE_RATIOS)],
        },
      ],
    },
    {
      id: 'Midjourney',
      type: '2',
      name: 'Midjourney',
      model_id: '',
      children: [midjourneyLeaf('v5.2', n.midjourneyLegacy, [7, 9])],
    },
    // The newest Midjourney version at the top level, after its group: leaves may sit at any depth.
    { ...midjourneyLeaf('v6', n.midjourney, [8, 10]), sort: 40 },
  ]
}

/** Finds the version leaf with this id at any depth, or undefined. */
export function findVersionLeaf(tree: readonly ServerProductNode[], versionId: unknown): ServerProductNode | undefined {
  for (const node of tree) {
    if (node.type === '3' && node.id === versionId) return node
    if (Array.isArray(node.children)) {
      const found = findVersionLeaf(node.children, versionId)
      if (found) return found
    }
  }
  return undefined
}
