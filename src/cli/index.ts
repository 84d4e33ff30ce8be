/**
 * Entry of the `ima` bin (`npx ima …`, or `npx tsx src/cli/index.ts …` in
 * the repository). Usage: docs/cli.md.
 */
import { main } from './main.js'

const code = await main(process.argv.slice(2))
// A write to stdout that failed (a full disk, `> /dev/full`) sets exitCode 1 once it is known, possibly after
// main returned: the result of a paid task was lost, so that 1 is kept rather than overwritten by a 0.
const finalCode = (): number => (code !== 0 ? code : Number(process.exitCode ?? 0))
process.exitCode = finalCode()
// Idle keep-alive sockets could hold the process open for a few seconds after
// the answer is printed; an unref'd timer fires only if something else still
// keeps the process alive, and stdout has drained by then.
setTimeout(() => process.exit(finalCode()), 200).unref()
