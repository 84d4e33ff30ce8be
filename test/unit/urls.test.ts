import { describe, expect, it } from 'vitest'
import { checkServiceURL, isLoopbackHost, shownURL } from '../../src/protocol/urls.js'

describe('the URL rule', () => {
  it.each([
    ['https://cdn.example.com/a.png', true],
    ['HTTPS://CDN.EXAMPLE.COM/a.png', true],
    ['http://127.0.0.1:4010/a.png', true],
    ['http://127.0.0.2/a.png', true],
    ['http://localhost/a.png', true],
    ['http://[::1]:9/a.png', true],
    ['http://127.example.com/a.png', false],
    ['http://example.com/a.png', false],
    ['https://user:pass@cdn.example.com/a.png', false],
    ['https://user@cdn.example.com/a.png', false],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['data:image/png;base64,AAAA', false],
    ['ftp://example.com/a.png', false],
    ['not a url', false],
    ['', false],
  ])('%s → %s', (url, ok) => {
    expect(checkServiceURL(url).ok).toBe(ok)
  })

  it('names loopback hosts only, never a DNS name that starts with 127.', () => {
    expect(isLoopbackHost('127.255.255.254')).toBe(true)
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false)
    expect(isLoopbackHost('LOCALHOST')).toBe(true)
  })

  it('shows a URL without credentials, query or fragment', () => {
    expect(shownURL('https://u:p@up.example.com/put/1?sig=abc#x')).toBe('https://up.example.com/put/1')
    expect(shownURL('javascript:alert(1)')).toBe('javascript:…')
  })
})
