import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FilePreferenceStore, defaultPreferencesPath } from 'ima-open-sdk/node'
import { fixture, killLeftoverChildren, runTsx, spawnTsx, waitUntilStopped } from '../support/tsx-child.js'

let dir = ''
let path = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ima-prefs-'))
  path = join(dir, 'memory', 'ima_prefs.json')
  await mkdir(join(dir, 'memory'))
})
afterEach(async () => {
  killLeftoverChildren()
  await rm(dir, { recursive: true, force: true })
})

/** A prefs file exactly as the skills write it (json.dump, indent=2), with unknown keys at every level. */
const SKILLS_FILE = {
  _schema: { written_by: 'ima_image_create.py', version: 1 },
  user_12345: {
    text_to_image: {
      model_id: 'doubao-seedream-4.5',
      model_name: 'SeeDream 4.5',
      credit: 5,
      last_used: '2026-02-26T03:07:27.123456+00:00',
      aspect_ratio: '16:9',
    },
    image_to_image: { model_id: 'doubao-seedream-4.5', model_name: 'SeeDream 4.5', credit: 5, last_used: '2026-02-25T10:00:00Z' },
    text_to_video: { model_id: 'wan2.6-t2v', model_name: 'Wan 2.6', credit: 25, last_used: '2026-02-24T08:00:00Z' },
    nickname: '小明',
  },
  user_67890: { text_to_image: { model_id: 'midjourney', model_name: 'Midjourney', credit: 8, last_used: '2026-02-20T00:00:00Z' } },
  user_broken: 'not an object',
}

describe('FilePreferenceStore and the skills’ own file', () => {
  it('defaults to ~/.openclaw/memory/ima_prefs.json', () => {
    expect(new FilePreferenceStore().path).toBe(defaultPreferencesPath())
    expect(defaultPreferencesPath()).toMatch(/[/\\]\.openclaw[/\\]memory[/\\]ima_prefs\.json$/)
  })

  it('reads the skills’ entries in camelCase', async () => {
    await writeFile(path, JSON.stringify(SKILLS_FILE, null, 2))
    const store = new FilePreferenceStore({ path })
    expect(await store.get('12345', 'text_to_image')).toEqual({
      modelId: 'doubao-seedream-4.5',
      modelName: 'SeeDream 4.5',
      credit: 5,
      lastUsed: '2026-02-26T03:07:27.123456+00:00',
    })
    expect(Object.keys(await store.list('12345')).sort()).toEqual(['image_to_image', 'text_to_image'])
    expect(await store.get('67890', 'text_to_image')).toMatchObject({ modelId: 'midjourney', credit: 8 })
    expect(await store.list('broken')).toEqual({})
    expect((await store.users()).sort()).toEqual(['12345', '67890'])
  })

  it('updates the file without losing any entry or key it does not understand', async () => {
    await writeFile(path, JSON.stringify(SKILLS_FILE, null, 2))
    const store = new FilePreferenceStore({ path })
    await store.set('12345', 'text_to_image', { modelId: 'gemini-3-pro-image', modelName: 'Nano Banana Pro', credit: 10, lastUsed: '2026-03-01T00:00:00.000Z' })
    await store.set('new', 'image_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: '2026-03-01T00:00:00.000Z' })
    await store.delete('12345', 'image_to_image')

    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
    const { image_to_image: _removed, ...user12345 } = SKILLS_FILE.user_12345
    expect(written).toEqual({
      ...SKILLS_FILE,
      user_12345: {
        ...user12345,
        // The four known keys replaced; the entry's own unknown key kept.
        text_to_image: { model_id: 'gemini-3-pro-image', model_name: 'Nano Banana Pro', credit: 10, last_used: '2026-03-01T00:00:00.000Z', aspect_ratio: '16:9' },
      },
      user_new: { image_to_image: { model_id: 'midjourney', model_name: 'Midjourney', credit: 8, last_used: '2026-03-01T00:00:00.000Z' } },
    })
    // The same layout the skills write: snake_case keys, two-space indent, keys in their order.
    expect(Object.keys(written)).toEqual(['_schema', 'user_12345', 'user_67890', 'user_broken', 'user_new'])
    expect(await readFile(path, 'utf8')).toContain('\n  "user_12345": {\n    "text_to_image": {\n      "model_id": "gemini-3-pro-image",')
    // A setting that replaces a non-object user value still keeps the rest.
    await store.set('broken', 'text_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: 'x' })
    const again = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
    expect(again._schema).toEqual(SKILLS_FILE._schema)
    expect(again.user_broken).toEqual({ text_to_image: { model_id: 'midjourney', model_name: 'Midjourney', credit: 8, last_used: 'x' } })
  })

  it('creates the folder and the file on the first write, and leaves no temporary or lock file', async () => {
    const nested = join(dir, 'a', 'b', 'ima_prefs.json')
    const store = new FilePreferenceStore({ path: nested })
    expect(await store.get('1', 'text_to_image')).toBeUndefined()
    await store.set('1', 'text_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: 'x' })
    expect(JSON.parse(await readFile(nested, 'utf8'))).toEqual({ user_1: { text_to_image: { model_id: 'midjourney', model_name: 'Midjourney', credit: 8, last_used: 'x' } } })
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['ima_prefs.json'])
  })

  it('20 processes writing different users at once leave a valid file with all 20', async () => {
    await writeFile(path, JSON.stringify({ _schema: { version: 1 }, user_existing: SKILLS_FILE.user_67890 }, null, 2))
    const users = Array.from({ length: 20 }, (_, index) => `worker-${index}`)
    const runs = users.map((user) => runTsx(fixture('write-preference.ts'), [path, user]))
    const results = await Promise.all(runs)
    for (const [index, result] of results.entries()) {
      expect(result.out.trim()).toBe(`wrote worker-${index}`)
      expect(result.code).toBe(0)
    }
    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, { model_id: string }>>
    for (const user of users) {
      expect(written[`user_${user}`]?.text_to_image?.model_id).toBe('gemini-3.1-flash-image')
      expect(written[`user_${user}`]?.image_to_image?.model_id).toBe('doubao-seedream-4.5')
    }
    expect(written._schema).toEqual({ version: 1 })
    expect(written.user_existing).toEqual(SKILLS_FILE.user_67890)
    expect(Object.keys(written)).toHaveLength(22)
    // No lock or temporary file left behind.
    expect(await readdir(join(dir, 'memory'))).toEqual(['ima_prefs.json'])
  }, 60_000)

  it('treats a corrupt file as empty, and the next write moves it aside to <path>.corrupt-<timestamp>', async () => {
    const corrupt = '{"user_1": {"text_to_image": {"model_id": "midj'
    await writeFile(path, corrupt)
    const store = new FilePreferenceStore({ path })
    expect(await store.get('1', 'text_to_image')).toBeUndefined()
    expect(await store.list('1')).toEqual({})
    expect(await readFile(path, 'utf8')).toBe(corrupt) // a read changes nothing

    await store.set('2', 'text_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: 'x' })
    const names = await readdir(join(dir, 'memory'))
    const aside = names.find((name) => name.startsWith('ima_prefs.json.corrupt-'))
    expect(aside).toMatch(/^ima_prefs\.json\.corrupt-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/)
    expect(await readFile(join(dir, 'memory', aside as string), 'utf8')).toBe(corrupt)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ user_2: { text_to_image: { model_id: 'midjourney', model_name: 'Midjourney', credit: 8, last_used: 'x' } } })
  })

  it('treats JSON that is not an object (an array, null) as corrupt too', async () => {
    await writeFile(path, '[1, 2, 3]')
    const store = new FilePreferenceStore({ path })
    expect(await store.get('1', 'text_to_image')).toBeUndefined()
    await store.set('1', 'text_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: 'x' })
    expect((await readdir(join(dir, 'memory'))).some((name) => name.startsWith('ima_prefs.json.corrupt-'))).toBe(true)
  })

  it('reads a file it cannot parse as a file (a folder) as "no preference", and refuses to overwrite it', async () => {
    await mkdir(path)
    const store = new FilePreferenceStore({ path })
    expect(await store.get('1', 'text_to_image')).toBeUndefined()
    await expect(store.set('1', 'text_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: 'x' })).rejects.toThrow()
  })

  it('takes over a lock left by a process that died', async () => {
    await mkdir(`${path}.lock`)
    const longAgo = new Date(Date.now() - 60_000)
    await utimes(`${path}.lock`, longAgo, longAgo)
    const store = new FilePreferenceStore({ path })
    await store.set('1', 'text_to_image', { modelId: 'midjourney', modelName: 'Midjourney', credit: 8, lastUsed: 'x' })
    expect(await store.get('1', 'text_to_image')).toMatchObject({ modelId: 'midjourney' })
  })

  it('refuses bad input with a message', async () => {
    const store = new FilePreferenceStore({ path })
    await expect(store.set('', 'text_to_image', { modelId: 'm', modelName: 'm', credit: 1, lastUsed: 'x' })).rejects.toThrow(/userId/)
    await expect(store.set('1', 'text_to_video' as never, { modelId: 'm', modelName: 'm', credit: 1, lastUsed: 'x' })).rejects.toThrow(/taskType/)
    await expect(store.set('1', 'text_to_image', { modelId: 'm' } as never)).rejects.toThrow(/preference/)
    expect(() => new FilePreferenceStore({ staleLockMs: -1 })).toThrow(/staleLockMs/)
  })
})

const pref = (modelId: string, credit = 8) => ({ modelId, modelName: `${modelId} name`, credit, lastUsed: '2026-03-01T00:00:00.000Z' })
const wire = (modelId: string, credit = 8) => ({ model_id: modelId, model_name: `${modelId} name`, credit, last_used: '2026-03-01T00:00:00.000Z' })

describe('FilePreferenceStore when things go wrong', () => {
  it('does not wait for a lock dated in the future (clock skew, a restored home folder): it is removed', async () => {
    await mkdir(`${path}.lock`)
    const tomorrow = new Date(Date.now() + 86_400_000)
    await utimes(`${path}.lock`, tomorrow, tomorrow)
    const store = new FilePreferenceStore({ path, lockTimeoutMs: 30_000 })
    const started = performance.now()
    await store.set('1', 'text_to_image', pref('midjourney'))
    // Without the fix this waits the full 30 s and fails; a loaded CI machine still does it in well under a second.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(await store.get('1', 'text_to_image')).toMatchObject({ modelId: 'midjourney' })
    expect(await readdir(join(dir, 'memory'))).toEqual(['ima_prefs.json'])
  }, 60_000)

  it('a writer stopped (SIGSTOP) while holding the lock, taken over by another, redoes its change on the newer file when continued', async () => {
    await writeFile(path, JSON.stringify({ user_existing: SKILLS_FILE.user_67890 }, null, 2))
    const paused = spawnTsx(fixture('write-preference.ts'), [path, 'paused-writer'], {
      preload: fixture('pause-after-read.ts'),
      env: { IMA_TEST_PAUSE_AFTER_READ: path },
    })
    // Stopped with the lock held and the file read.
    await paused.waitFor(/^paused$/m)
    await waitUntilStopped(paused.child)
    expect((await stat(`${path}.lock`)).isDirectory()).toBe(true)
    // What staleLockMs of real time would do to a lock nobody refreshes, without the wait.
    const longAgo = new Date(Date.now() - 60_000)
    await utimes(`${path}.lock`, longAgo, longAgo)
    const second = await runTsx(fixture('write-preference.ts'), [path, 'second-writer'])
    expect(second.out.trim()).toBe('wrote second-writer')
    expect(JSON.parse(await readFile(path, 'utf8'))).toHaveProperty('user_second-writer')

    paused.child.kill('SIGCONT')
    const first = await paused.done
    expect(first.out.trim()).toBe('paused\nwrote paused-writer')
    expect(first.code).toBe(0)
    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, { model_id: string }>>
    // The stopped writer did not put its old snapshot back: the second writer's update is still there.
    expect(Object.keys(written).sort()).toEqual(['user_existing', 'user_paused-writer', 'user_second-writer'])
    for (const user of ['paused-writer', 'second-writer']) {
      expect(written[`user_${user}`]?.text_to_image?.model_id).toBe('gemini-3.1-flash-image')
      expect(written[`user_${user}`]?.image_to_image?.model_id).toBe('doubao-seedream-4.5')
    }
    expect(written.user_existing).toEqual(SKILLS_FILE.user_67890)
    expect(await readdir(join(dir, 'memory'))).toEqual(['ima_prefs.json'])
  }, 60_000)

  it('a file rewritten without the lock (the skills’ Python writer) between read and write is read again, not overwritten', async () => {
    await writeFile(path, JSON.stringify({ user_existing: SKILLS_FILE.user_67890 }, null, 2))
    const paused = spawnTsx(fixture('write-preference.ts'), [path, 'sdk-writer'], {
      preload: fixture('pause-after-read.ts'),
      env: { IMA_TEST_PAUSE_AFTER_READ: path },
    })
    await paused.waitFor(/^paused$/m)
    await waitUntilStopped(paused.child)
    // json.dump(prefs, open(path, 'w'), indent=2): in place, no lock.
    await writeFile(path, JSON.stringify({ user_existing: SKILLS_FILE.user_67890, user_python: { text_to_image: wire('midjourney') } }, null, 2))
    paused.child.kill('SIGCONT')
    const result = await paused.done
    expect(result.code).toBe(0)
    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
    expect(Object.keys(written).sort()).toEqual(['user_existing', 'user_python', 'user_sdk-writer'])
    expect(written.user_python).toEqual({ text_to_image: wire('midjourney') })
  }, 60_000)

  it('a writer killed with SIGKILL mid-write leaves a valid file, and its leftovers are cleaned by the next store', async () => {
    await writeFile(path, JSON.stringify({ user_existing: SKILLS_FILE.user_67890 }, null, 2))
    const writer = spawnTsx(fixture('write-preferences-forever.ts'), [path, 'killed'])
    const [, written] = (await writer.waitFor(/wrote (\d+)\n(?:.|\n)*wrote \d+\n(?:.|\n)*wrote \d+\n/)) as unknown as [string, string]
    writer.child.kill('SIGKILL')
    await writer.done
    expect(Number(written)).toBeGreaterThanOrEqual(0)
    // The file is whole (atomic replace): the last completed write or a later one.
    const afterKill = JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, { credit: number }>>
    expect(afterKill.user_existing).toEqual(SKILLS_FILE.user_67890)
    const lastPrinted = Number([...writer.output().matchAll(/wrote (\d+)/g)].at(-1)?.[1])
    expect(afterKill.user_killed?.text_to_image?.credit).toBeGreaterThanOrEqual(lastPrinted)

    // Make the kill "long ago": its lock (if it held one) and temporary file (if it was mid-write) look abandoned.
    const longAgo = new Date(Date.now() - 120_000)
    const folder = join(dir, 'memory')
    for (const name of await readdir(folder)) if (name !== 'ima_prefs.json') await utimes(join(folder, name), longAgo, longAgo)
    // And for certain one of each kind: an abandoned temporary file, a live writer's fresh one, and files that are not temporary.
    await writeFile(join(folder, 'ima_prefs.json.2834710592'), '{"half": ')
    await utimes(join(folder, 'ima_prefs.json.2834710592'), longAgo, longAgo)
    await writeFile(join(folder, 'ima_prefs.json.1234567'), '{"live": ')
    await writeFile(join(folder, 'ima_prefs.json.corrupt-2026-01-01T00-00-00-000Z'), '{')
    await utimes(join(folder, 'ima_prefs.json.corrupt-2026-01-01T00-00-00-000Z'), longAgo, longAgo)

    const store = new FilePreferenceStore({ path })
    await store.set('after', 'text_to_image', pref('midjourney'))
    expect((await readdir(folder)).sort()).toEqual(['ima_prefs.json', 'ima_prefs.json.1234567', 'ima_prefs.json.corrupt-2026-01-01T00-00-00-000Z'])
    const final = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
    expect(Object.keys(final).sort()).toEqual(['user_after', 'user_existing', 'user_killed'])
  }, 60_000)

  it('a file cut short by the skills’ non-atomic writer keeps every whole entry; the original is moved aside', async () => {
    const whole = JSON.stringify(
      { _schema: { version: 1 }, user_a: { text_to_image: wire('midjourney') }, user_b: { image_to_image: wire('doubao-seedream-4.5', 5) }, user_c: { text_to_image: wire('gemini-3-pro-image', 10) } },
      null,
      2,
    )
    const truncated = whole.slice(0, whole.indexOf('"gemini-3-pro-image"') + 8)
    await writeFile(path, truncated)
    const store = new FilePreferenceStore({ path })
    // Readers already see what survived.
    expect(await store.get('a', 'text_to_image')).toEqual(pref('midjourney'))
    expect(await store.get('c', 'text_to_image')).toBeUndefined()
    expect((await store.users()).sort()).toEqual(['a', 'b'])

    await store.set('d', 'text_to_image', pref('gemini-3.1-flash-image', 4))
    const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
    expect(written).toEqual({
      _schema: { version: 1 },
      user_a: { text_to_image: wire('midjourney') },
      user_b: { image_to_image: wire('doubao-seedream-4.5', 5) },
      user_d: { text_to_image: wire('gemini-3.1-flash-image', 4) },
    })
    const aside = (await readdir(join(dir, 'memory'))).filter((name) => name.startsWith('ima_prefs.json.corrupt-'))
    expect(aside).toHaveLength(1)
    expect(await readFile(join(dir, 'memory', aside[0] as string), 'utf8')).toBe(truncated)
  })

  it('gives up with FileLockTimeoutError, saying which lock and what to do, when a live process keeps the lock', async () => {
    await mkdir(`${path}.lock`) // dated now, as a live holder keeps it
    const store = new FilePreferenceStore({ path, lockTimeoutMs: 200 })
    const error = await store.set('1', 'text_to_image', pref('midjourney')).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ name: 'FileLockTimeoutError', code: 'file_lock_timeout', lockPath: `${path}.lock` })
    expect((error as Error).message).toMatch(/another process holds .*ima_prefs\.json\.lock.*delete/)
  })
})
