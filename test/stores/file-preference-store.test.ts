import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FilePreferenceStore, defaultPreferencesPath } from 'ima-open-sdk/node'

let dir = ''
let path = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ima-prefs-'))
  path = join(dir, 'memory', 'ima_prefs.json')
  await mkdir(join(dir, 'memory'))
})
afterEach(async () => {
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
    const script = fileURLToPath(new URL('../fixtures/write-preference.ts', import.meta.url))
    const users = Array.from({ length: 20 }, (_, index) => `worker-${index}`)
    // NODE_EXTRA_CA_CERTS (set on some machines) doubles a Node start-up; these children make no TLS calls.
    const env = { ...process.env }
    delete env.NODE_EXTRA_CA_CERTS
    const runs = users.map(
      (user) =>
        new Promise<{ code: number | null; out: string }>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, path, user], { stdio: ['ignore', 'pipe', 'pipe'] })
          let out = ''
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
          child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
          child.once('error', reject)
          child.once('close', (code) => resolve({ code, out }))
        }),
    )
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
