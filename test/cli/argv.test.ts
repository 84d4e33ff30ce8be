import { describe, expect, it } from 'vitest'
import { gatherFlags } from '../../src/cli/argv.js'
import { CliUsageError } from '../../src/cli/errors.js'

describe('the argv pre-pass for repeatable flags', () => {
  it('gathers several values per --input-images and repeated flags, in order', () => {
    const gathered = gatherFlags(['--input-images', 'a.png', 'b.png', '--prompt', 'x', '--input-images', 'https://h/c.png', '--output-json'])
    expect(gathered.values['input-images']).toEqual(['a.png', 'b.png', 'https://h/c.png'])
    expect(gathered.argv).toEqual(['--prompt', 'x', '--output-json'])
  })

  it('reads --flag=value, takes one value per --image, and leaves positionals alone', () => {
    const gathered = gatherFlags(['generate', '--image', 'a.png', 'a red fox', '--image=b.png', '--input-images=c.png'])
    expect(gathered.values.image).toEqual(['a.png', 'b.png'])
    expect(gathered.values['input-images']).toEqual(['c.png'])
    expect(gathered.argv).toEqual(['generate', 'a red fox'])
  })

  it('leaves everything after -- alone and refuses a flag without a value', () => {
    expect(gatherFlags(['--prompt', 'x', '--', '--image', 'y']).argv).toEqual(['--prompt', 'x', '--', '--image', 'y'])
    expect(() => gatherFlags(['--input-images', '--prompt', 'x'])).toThrow(CliUsageError)
    expect(() => gatherFlags(['--image'])).toThrow(/--image needs a value/)
  })
})
