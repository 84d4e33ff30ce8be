import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ImaClient, ImaError } from 'ima-open-sdk'

const SEED = 20261122

/** A client whose every request gets `answer`: the fuzzed body, status and content type. */
function clientAnswering(answer: () => Response): ImaClient {
  return new ImaClient({
    apiKey: 'ima_fuzz_key_000000',
    baseURL: 'https://api.fuzz.example',
    maxRetries: 0,
    productCacheTtlMs: 0,
    fetch: async () => answer(),
  })
}

/** Every call that parses a response: each must give a value or a typed error, never anything else. */
async function outcomeOf(client: ImaClient): Promise<unknown[]> {
  const calls = [
    () => client.products.list('text_to_image'),
    () => client.tasks.get('task_1'),
    () => client.tasks.create({ model: 'm', prompt: 'p' }),
  ]
  const outcomes: unknown[] = []
  for (const call of calls) {
    try {
      outcomes.push(await call())
    } catch (error) {
      outcomes.push(error)
    }
  }
  return outcomes
}

function expectTypedOrValue(outcomes: unknown[]): void {
  for (const outcome of outcomes) {
    if (outcome instanceof Error) expect(outcome).toBeInstanceOf(ImaError)
  }
}

const statuses = fc.constantFrom(200, 200, 200, 400, 401, 404, 429, 500, 502, 503)
const contentTypes = fc.constantFrom('application/json', 'text/html', 'text/plain', '')

describe('response parsers under fuzzing', () => {
  it('turn arbitrary JSON into parsed values or typed errors', async () => {
    const envelopeLike = fc.oneof(
      fc.jsonValue(),
      fc.record({ code: fc.oneof(fc.integer(), fc.string(), fc.constant(0)), message: fc.oneof(fc.string(), fc.constant(null)), data: fc.jsonValue() }),
      fc.record({ code: fc.constantFrom(0, 200), data: fc.oneof(fc.array(fc.jsonValue()), fc.record({ id: fc.jsonValue(), medias: fc.jsonValue() })) }),
    )
    await fc.assert(
      fc.asyncProperty(envelopeLike, statuses, contentTypes, async (body, status, contentType) => {
        const client = clientAnswering(() => new Response(JSON.stringify(body), { status, headers: contentType ? { 'content-type': contentType } : {} }))
        expectTypedOrValue(await outcomeOf(client))
      }),
      { seed: SEED, numRuns: 200 },
    )
  })

  it('turn arbitrary bytes into typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), statuses, contentTypes, async (bytes, status, contentType) => {
        const client = clientAnswering(() => new Response(bytes, { status, headers: contentType ? { 'content-type': contentType } : {} }))
        expectTypedOrValue(await outcomeOf(client))
      }),
      { seed: SEED, numRuns: 200 },
    )
  })
})
