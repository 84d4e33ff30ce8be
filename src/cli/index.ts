/**
 * Entry of the `ima` bin (`npx ima …`, or `npx tsx src/cli/index.ts …` in
 * the repository). Usage: docs/cli.md.
 */
import { main } from './main.js'

const code = await main(process.argv.slice(2))
process.exitCode = code
// Idle keep-alive sockets could hold the process open for a few seconds after
// the answer is printed; an unref'd timer fires only if something else still
// keeps the process alive, and stdout has drained by then.
setTimeout(() => process.exit(code), 200).unref()
