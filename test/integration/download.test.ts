import { mkdtemp, readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ValidationError } from 'ima-open-sdk'
import { downloadResult } from 'ima-open-sdk/node'
import { rejectionOf, useImaServer } from './harness.js'

const ima = useImaServer({ progression: 'polls' })

describe('a generated image end to end', () => {
  it('downloads a real PNG of the requested shape, atomically', async () => {
    const result = await ima.client().generate({ model: 'doubao-seedream-4.5', prompt: 'a wide valley', aspectRatio: '16:9', intervalMs: 1 })
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    const saved = await downloadResult(result.url, join(dir, 'valley.png'))
    const bytes = await readFile(saved.path)
    expect(saved.bytes).toBe(bytes.length)
    expect(saved.contentType).toBe('image/png')
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    const width = bytes.readUInt32BE(16)
    const height = bytes.readUInt32BE(20)
    expect(width / height).toBeCloseTo(2560 / 1440, 2)
    expect({ width, height }).toEqual({ width: result.medias[0]!.width, height: result.medias[0]!.height })
    expect(await readdir(dir)).toEqual(['valley.png'])
  })

  it('leaves no file behind when the download is over the cap', async () => {
    const result = await ima.client().generate({ model: 'gemini-3-pro-image', prompt: 'a fox', intervalMs: 1 })
    const dir = await mkdtemp(join(tmpdir(), 'ima-download-'))
    await expect(downloadResult(result.url, join(dir, 'fox.png'), { maxBytes: 100 })).rejects.toThrow(/maxBytes/)
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses plain http outside loopback', async () => {
    expect(await rejectionOf(downloadResult('http://example.com/a.png', '/tmp/never.png'))).toBeInstanceOf(ValidationError)
  })
})
