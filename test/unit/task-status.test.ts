import { describe, expect, it } from 'vitest'
import { progressPercent, readTaskStatus } from '../../src/protocol/task-status.js'

describe('readTaskStatus', () => {
  it('is pending with no medias', () => {
    expect(readTaskStatus([]).state).toBe('pending')
    expect(readTaskStatus(null).state).toBe('pending')
  })

  it('treats null and "" as processing (0)', () => {
    expect(readTaskStatus([{ resource_status: null, status: 'pending' }]).state).toBe('pending')
    expect(readTaskStatus([{ resource_status: '', status: 'processing' }]).state).toBe('processing')
    expect(readTaskStatus([{ resource_status: 0, status: 'processing' }]).state).toBe('processing')
  })

  it('succeeds only when every media is 1 and has a url', () => {
    expect(readTaskStatus([{ resource_status: 1, url: 'https://a/1.png' }, { resource_status: 0 }]).state).toBe('processing')
    expect(readTaskStatus([{ resource_status: 1, url: 'https://a/1.png' }, { resource_status: 1, url: 'https://a/2.png' }])).toEqual({
      state: 'success',
      urls: ['https://a/1.png', 'https://a/2.png'],
    })
  })

  it('keeps polling while the url is still empty, and falls back to watermark_url', () => {
    expect(readTaskStatus([{ resource_status: 1, status: 'success', url: '' }]).state).toBe('processing')
    expect(readTaskStatus([{ resource_status: 1, url: '', watermark_url: 'https://a/w.png' }])).toEqual({ state: 'success', urls: ['https://a/w.png'] })
  })

  it('fails on any media at 2 with error_msg, else remark', () => {
    expect(readTaskStatus([{ resource_status: 1, url: 'x' }, { resource_status: 2, error_msg: 'blocked' }])).toEqual({ state: 'failed', reason: 'blocked', failure: 'resource' })
    expect(readTaskStatus([{ resource_status: '2', remark: 'why' }])).toEqual({ state: 'failed', reason: 'why', failure: 'resource' })
  })

  it('reports deleted for 3', () => {
    expect(readTaskStatus([{ resource_status: 3 }]).state).toBe('deleted')
  })

  it('fails when all are 1 but a status says failed', () => {
    expect(readTaskStatus([{ resource_status: 1, status: 'failed', url: '' }])).toEqual({ state: 'failed', failure: 'status' })
  })
})

describe('progressPercent', () => {
  it('is floor(elapsed / max × 100), capped at 95', () => {
    expect(progressPercent(0, 60_000)).toBe(0)
    expect(progressPercent(30_000, 60_000)).toBe(50)
    expect(progressPercent(59_999, 60_000)).toBe(95)
    expect(progressPercent(600_000, 60_000)).toBe(95)
    expect(progressPercent(10, 0)).toBe(0)
  })
})
