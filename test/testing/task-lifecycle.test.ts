import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startImaServer } from '../../src/testing/index.js'
import type { ImaServer } from '../../src/testing/index.js'
import { createWithPrompt, detail, pollMedias, request } from './local-http.js'

describe('local IMA server: task phases (polls)', () => {
  let server: ImaServer
  beforeAll(async () => {
    server = await startImaServer({ progression: 'polls', maxImageSide: 64 })
  })
  beforeEach(() => server.reset())
  afterAll(() => server.close())

  it('goes pending → processing → ready without url → done', async () => {
    const id = await createWithPrompt(server, 'a red fox', 2)
    const [pending, processing, noUrl, done, again] = await pollMedias(server, id, 5)
    expect(pending).toEqual([
      { resource_status: null, status: 'pending', url: '', cover_url: '' },
      { resource_status: null, status: 'pending', url: '', cover_url: '' },
    ])
    expect(processing?.[0]).toEqual({ resource_status: 0, status: 'processing', url: '' })
    expect(noUrl?.[0]).toEqual({ resource_status: 1, status: 'success', url: '', watermark_url: '' })
    expect(done).toEqual([0, 1].map((i) => ({
      resource_status: 1,
      status: 'success',
      url: `${server.url}/files/${id}/${i}.png`,
      cover_url: `${server.url}/files/${id}/${i}-cover.png`,
      format: 'png',
      width: 64,
      height: 64,
    })))
    expect(again).toEqual(done)
    expect(server.tasks[0]?.polls).toBe(5)
  })

  it('[fail] ends with resource_status 2 and an error_msg', async () => {
    const id = await createWithPrompt(server, 'a fox [fail]')
    const seen = await pollMedias(server, id, 4)
    expect(seen[1]?.[0].status).toBe('processing')
    for (const medias of seen.slice(2)) {
      expect(medias[0]).toEqual({ resource_status: 2, status: 'failed', url: '', error_msg: 'The image could not be generated (simulated failure)' })
    }
  })

  it('[fail-status] ends ready but failed, with only a remark', async () => {
    const id = await createWithPrompt(server, '[fail-status] a fox')
    const seen = await pollMedias(server, id, 4)
    expect(seen[3]?.[0]).toEqual({ resource_status: 1, status: 'failed', url: '', remark: 'simulated failure without detail' })
  })

  it('[delete] ends with resource_status 3', async () => {
    const id = await createWithPrompt(server, 'a fox [delete]')
    const seen = await pollMedias(server, id, 4)
    expect(seen[2]?.[0]).toMatchObject({ resource_status: 3, status: 'failed' })
    expect(seen[3]?.[0]).toMatchObject({ resource_status: 3, status: 'failed' })
  })

  it('[never] stays processing', async () => {
    const id = await createWithPrompt(server, 'a fox [never]')
    const seen = await pollMedias(server, id, 8)
    expect(seen[0]?.[0].status).toBe('pending')
    for (const medias of seen.slice(1)) expect(medias[0]).toEqual({ resource_status: 0, status: 'processing', url: '' })
  })

  it('answers 404 for an unknown task and 400 without task_id', async () => {
    const unknown = await detail(server, 'task_0000')
    expect(unknown.status).toBe(404)
    expect(unknown.json).toEqual({ code: 404, message: 'task not found', data: null })
    const missing = await request(server, 'POST', '/open/v1/tasks/detail', { body: {} })
    expect(missing.status).toBe(400)
  })
})

describe('local IMA server: task phases (time)', () => {
  it('finishes after taskDurationMs', async () => {
    const server = await startImaServer({ taskDurationMs: 0, maxImageSide: 32 })
    try {
      const id = await createWithPrompt(server, 'instant')
      const [medias] = await pollMedias(server, id, 1)
      expect(medias?.[0]).toMatchObject({ resource_status: 1, status: 'success', width: 32, height: 32 })
    } finally {
      await server.close()
    }
  })

  it('is pending right after create with a long duration', async () => {
    const server = await startImaServer({ taskDurationMs: 60_000 })
    try {
      const id = await createWithPrompt(server, 'slow')
      const [medias] = await pollMedias(server, id, 1)
      expect(medias?.[0].status).toBe('pending')
    } finally {
      await server.close()
    }
  })
})
