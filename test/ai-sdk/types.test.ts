/** The provider's public types against the AI SDK's: an `ImageModelV3`, a tool `generateText` takes. */
import type { ImageModelV3 } from '@ai-sdk/provider'
import type { Tool, ToolSet } from 'ai'
import { ImaClient } from 'ima-open-sdk'
import { describe, expectTypeOf, it } from 'vitest'
import { createIma, ima, imaImageTool, type ImaImageModel, type ImaImageModelId, type ImaProvider } from '../../src/ai-sdk/index.js'

describe('ima-open-sdk/ai-sdk types', () => {
  it('the model object satisfies ImageModelV3', () => {
    expectTypeOf(ima.image('gemini-3-pro-image')).toExtend<ImageModelV3>()
    expectTypeOf<ImaImageModel>().toExtend<ImageModelV3>()
    expectTypeOf(createIma({ apiKey: 'ima_x' }).imageModel('NB Pro')).toExtend<ImageModelV3>()
    expectTypeOf<ImaProvider['image']>().parameter(0).toEqualTypeOf<ImaImageModelId>()
    // An open union: any string is accepted, the known ids are suggested.
    expectTypeOf<'some-new-model'>().toExtend<ImaImageModelId>()
  })

  it('the tool fits generateText’s tools', () => {
    const tool = imaImageTool({ client: new ImaClient({ apiKey: 'ima_x' }) })
    expectTypeOf(tool).toExtend<Tool>()
    expectTypeOf({ image: tool }).toExtend<ToolSet>()
    expectTypeOf(tool.execute).returns.resolves.toEqualTypeOf<string>()
  })
})
