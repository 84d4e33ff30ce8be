/**
 * A store or budget given in the wrong shape is refused where it is given,
 * naming what was meant: left alone it would be dropped (a bare path, a
 * typo: the default file or prefix, someone else's), counted twice (two
 * budgets of one name) or taken for an outage at the first create.
 */
import { describe, expect, it } from 'vitest'
import { createStorage } from 'unstorage'
import { ImaClient, ImaConfigError, MemoryBudgetStore, UnstoragePreferenceStore, UnstorageTaskJournal } from '../../src/index.js'
import { FilePreferenceStore, FileTaskJournal } from '../../src/node/index.js'
import { RedisBudgetStore, RedisLeaseStore } from '../../src/queue/index.js'

const KEY = 'ima_unit_store_options_key'
const client = (options: object) => () => new ImaClient({ apiKey: KEY, ...options })
const anyArgs = <T>(make: (...args: never[]) => T) => make as (...args: unknown[]) => T

describe('the client refuses budgets and stores it cannot count with', () => {
  it('two budgets of one name, or one named app beside maxCredits: each create would be counted twice', () => {
    expect(client({ budgets: [{ name: 'user', maxCredits: 10, per: 'user' }, { name: 'user', maxCredits: 50 }] })).toThrow(
      new ImaConfigError("budgets[1].name user is taken by another budget: each budget has a counter of its own, keyed by its name — give it another name"),
    )
    expect(client({ maxCredits: 36, budgets: [{ name: 'app', maxCredits: 36 }] })).toThrow(/budgets\[0\]\.name app is taken by maxCredits \(its budget is named app\)/)
    // Alone, app is just a name.
    expect(client({ budgets: [{ name: 'app', maxCredits: 36 }] })).not.toThrow()
    expect(client({ budgets: { name: 'user', maxCredits: 10 } })).toThrow(/Expected budgets to be an array of limits/)
  })

  it('a store without the methods the client calls', () => {
    expect(client({ budgetStore: {} })).toThrow(new ImaConfigError('Expected budgetStore to be an object with reserve, settle, remaining, such as new MemoryBudgetStore() or new RedisBudgetStore({ redis })'))
    expect(client({ maxCreatesInFlight: 2, leaseStore: { acquire: () => true } })).toThrow(/Expected leaseStore to be an object with acquire, release/)
    expect(client({ preferences: 'prefs.json' })).toThrow(/Expected preferences to be an object with get, set, delete, list/)
    expect(client({ journal: {} })).toThrow(/Expected journal to be an object with put, get, list/)
    expect(client({ budgetStore: new MemoryBudgetStore() })).not.toThrow()
  })
})

describe('store constructors refuse options they do not take', () => {
  it('a bare path or a typo, instead of the default file', () => {
    expect(() => anyArgs((path) => new FileTaskJournal(path as never))('./journal.jsonl')).toThrow(
      new TypeError('Expected new FileTaskJournal({ path, retentionDays, staleLockMs, lockTimeoutMs }) with an options object, got a string'),
    )
    expect(() => new FileTaskJournal({ pth: './j.jsonl' } as never)).toThrow(new TypeError('Unknown FileTaskJournal option pth (did you mean path?) — the options are path, retentionDays, staleLockMs, lockTimeoutMs'))
    expect(() => anyArgs((path) => new FilePreferenceStore(path as never))('/my/prefs.json')).toThrow(/Expected new FilePreferenceStore\(\{ path, staleLockMs, lockTimeoutMs \}\) with an options object, got a string/)
    expect(() => new FileTaskJournal({ path: './j.jsonl', retentionDays: undefined })).not.toThrow()
  })

  it('an unstorage prefix passed bare or mistyped, instead of the shared default', () => {
    const storage = createStorage()
    expect(() => new UnstoragePreferenceStore(storage, 'tenantA:' as never)).toThrow(/Expected new UnstoragePreferenceStore\(\{ prefix \}\) with an options object, got a string/)
    expect(() => new UnstoragePreferenceStore(storage, { prefx: 'tenantA:' } as never)).toThrow(/Unknown UnstoragePreferenceStore option prefx \(did you mean prefix\?\)/)
    expect(() => new UnstorageTaskJournal(storage, { prefx: 'tenantA:' } as never)).toThrow(/Unknown UnstorageTaskJournal option prefx \(did you mean prefix\?\)/)
    expect(() => new UnstorageTaskJournal(storage, { prefix: 'tenantA:' })).not.toThrow()
  })

  it('a Redis store without an ioredis client', () => {
    expect(() => new RedisBudgetStore({} as never)).toThrow(new TypeError('Expected new RedisBudgetStore({ redis }) with an ioredis Redis or Cluster (new Redis(url)), got no redis'))
    expect(() => new RedisBudgetStore({ redis: 'redis://127.0.0.1:6379' } as never)).toThrow(/got a string — make it new Redis\(url\)/)
    expect(() => anyArgs(() => new RedisBudgetStore(undefined as never))()).toThrow(/got no redis/)
    expect(() => new RedisLeaseStore({ redis: {} } as never)).toThrow(/Expected new RedisLeaseStore\(\{ redis \}\) with an ioredis Redis or Cluster \(new Redis\(url\)\), got an object without eval\(\)/)
    expect(() => new RedisLeaseStore({ redis: { eval: () => 0 }, prefx: 'x' } as never)).toThrow(/Unknown RedisLeaseStore option prefx \(did you mean prefix\?\)/)
  })
})
