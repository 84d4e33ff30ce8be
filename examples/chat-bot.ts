/**
 * A console "chat bot": each line you type is a chat message; the bot answers
 * the way the skills do in Feishu or Discord (acknowledgement, start notice,
 * progress, the picture or a failure with alternatives).
 *
 *   npx tsx examples/chat-bot.ts                          # interactive, local IMA server
 *   echo "画一只猫，横图" | npx tsx examples/chat-bot.ts     # one message, then exit
 *   IMA_API_KEY=ima_… npx tsx examples/chat-bot.ts        # the real service (spends credits)
 *
 * Try: "always use NB Pro", "a fox in 8K", "用便宜的画一只狗", "推荐一个", "a cat [fail]".
 */
import { createInterface } from 'node:readline'
import { ImaClient } from 'ima-open-sdk'
import { acknowledge, createChatReporter, parseRequest, type ChatClock, type ChatMessage } from 'ima-open-sdk/chat'
import { startImaServer } from 'ima-open-sdk/testing'

// Without a key, everything runs against the local IMA server shipped in ima-open-sdk/testing.
const LOCAL_TASK_MS = 1_500
const local = process.env.IMA_API_KEY ? undefined : await startImaServer({ taskDurationMs: LOCAL_TASK_MS })
const ima = local ? new ImaClient(local.clientOptions) : new ImaClient()

// The local server finishes in 1.5 s, far inside any model's first progress period. So that the demo
// shows progress notices, the reporter's clock runs 20× faster locally ("30 s" pass in 1.5 s).
const SPEED = local ? 20 : 1
const clock: ChatClock = {
  now: () => Date.now() * SPEED,
  setTimeout: (callback, ms) => setTimeout(callback, ms / SPEED),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/** How a chat platform would show a message; here, indented text with the picture's link. */
function show(message: ChatMessage): void {
  const label = { start: 'push', progress: 'push', success: 'push + picture', failure: 'push' }[message.kind]
  console.log(`\n[bot · ${label}]\n${message.text.replace(/^/gm, '  ')}`)
}

let savedModel: string | undefined
const interactive = process.stdin.isTTY
if (local) console.log(`(No IMA_API_KEY: using the local IMA server at ${local.url}; time runs ${SPEED}× faster.)`)
if (interactive) console.log('Type a request (e.g. "画一只猫，横图"), Ctrl-D to quit.')

const lines = createInterface({ input: process.stdin, terminal: false })
try {
  for await (const raw of lines) {
    const text = raw.trim()
    if (!text) continue
    console.log(`\n[user] ${text}`)
    const request = parseRequest(text)
    const reporter = createChatReporter({ client: ima, send: show, language: request.language, clock })

    if (request.remember === 'save' && request.model) savedModel = request.model
    if (request.remember === 'clear') savedModel = undefined
    if (request.anotherModel) {
      console.log(`\n[bot] ${request.language === 'zh' ? '想换哪个模型？SeeDream 4.5、Nano Banana2、Nano Banana Pro 或 Midjourney 🎨' : 'Which model next? SeeDream 4.5, Nano Banana2, Nano Banana Pro or Midjourney 🎨'}`)
      continue
    }

    // Step 0: the normal reply comes first, then every other message is pushed by the reporter.
    const model = request.model ?? savedModel
    console.log(`\n[bot] ${acknowledge({ ...request, ...(model ? { model } : {}) })}`)
    for (const note of request.notes) console.log(`[bot] ${note}`)
    const url = /https?:\/\/\S+/.exec(text)?.[0]
    await reporter.generate({
      prompt: text,
      ...(model ? { model } : {}),
      ...(request.size ? { size: request.size } : {}),
      ...(request.aspectRatio ? { aspectRatio: request.aspectRatio } : {}),
      // Editing needs a picture: without a link in the message, draw instead.
      ...(request.taskType === 'image_to_image' && url ? { taskType: 'image_to_image' as const, inputImages: [url] } : { taskType: 'text_to_image' as const }),
    })
  }
} finally {
  lines.close()
  await local?.close()
}
