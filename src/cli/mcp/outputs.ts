/**
 * Where `ima mcp` saves results: always inside the output folder
 * (`IMA_OUTPUT_DIR`), never the MCP client's working directory — a desktop
 * client starts servers anywhere, often in `/`. An agent's `output_path`
 * is a name or a path inside that folder; one that leaves it is refused
 * before anything is created.
 */
import { existsSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { defaultFileName, extensionOf } from '../files.js'

/** An `output_path` that points outside the output folder. */
export class OutputOutsideFolderError extends Error {
  override readonly name = 'OutputOutsideFolderError'
  constructor(
    readonly outputPath: string,
    readonly folder: string,
  ) {
    super(`output_path ${outputPath} leaves ${folder}`)
  }
}

/** An `output_path` whose file is there already: another picture, maybe paid for, would be overwritten. */
export class OutputExistsError extends Error {
  override readonly name = 'OutputExistsError'
  constructor(
    readonly outputPath: string,
    readonly file: string,
  ) {
    super(`output_path ${outputPath}: ${file} exists`)
  }
}

/**
 * Refuses, before anything is created, an `output_path` naming a file that
 * exists (each of the numbered files for several images).
 *
 * @example
 * ```ts
 * refuseExistingOutput(folder, target, input.output_path, input.n ?? 1) // throws OutputExistsError when fox.png is there
 * ```
 */
export function refuseExistingOutput(folder: string, target: { file: string } | { dir: string } | undefined, outputPath: string | undefined, count: number): void {
  if (!target || !('file' in target) || outputPath === undefined) return
  const files = resultFiles(folder, target, { urls: Array.from({ length: Math.max(1, count) }, () => 'https://cdn.invalid/0.png'), taskId: '', prompt: undefined })
  const taken = files.find((file) => existsSync(file))
  if (taken !== undefined) throw new OutputExistsError(outputPath, taken)
}

function inside(folder: string, target: string): boolean {
  const path = relative(folder, target)
  return path !== '' && !path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path)
}

/**
 * The absolute file an `output_path` names inside `folder` (a path ending
 * with a slash names a folder for the default name); `undefined` for none.
 * Throws {@link OutputOutsideFolderError} when it leaves the folder.
 *
 * @example
 * ```ts
 * checkOutputPath('/home/ana/Pictures/ima', 'foxes/red.png') // '/home/ana/Pictures/ima/foxes/red.png'
 * checkOutputPath('/home/ana/Pictures/ima', '../x.png') // throws OutputOutsideFolderError
 * ```
 */
export function checkOutputPath(folder: string, outputPath: string | undefined): { file: string } | { dir: string } | undefined {
  const given = outputPath?.trim()
  if (given === undefined || given === '') return undefined
  const target = resolve(folder, given)
  if (!inside(folder, target)) throw new OutputOutsideFolderError(given, folder)
  return given.endsWith('/') || given.endsWith(sep) ? { dir: target } : { file: target }
}

/**
 * The files a result's images are saved to: the named file (numbered
 * `-1`, `-2`… when there are several images), else `<prompt>-<task>.png`
 * names in the folder.
 *
 * @example
 * ```ts
 * resultFiles('/out', { file: '/out/fox.png' }, { urls: [a, b], taskId: 't1', prompt: 'a fox' }) // ['/out/fox-1.png', '/out/fox-2.png']
 * ```
 */
export function resultFiles(
  folder: string,
  target: { file: string } | { dir: string } | undefined,
  result: { urls: readonly string[]; taskId: string; prompt: string | undefined },
): string[] {
  const { urls, taskId } = result
  const numbered = (path: string, index: number) => {
    if (urls.length === 1) return path
    const dot = path.lastIndexOf('.')
    const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf(sep))
    return dot > slash ? `${path.slice(0, dot)}-${index + 1}${path.slice(dot)}` : `${path}-${index + 1}`
  }
  return urls.map((url, index) => {
    if (target && 'file' in target) {
      const file = numbered(target.file, index)
      // A name without an extension gets the image's own.
      return /\.[a-z0-9]{2,5}$/i.test(file) ? file : `${file}.${extensionOf(url)}`
    }
    const dir = target?.dir ?? folder
    return resolve(dir, numbered(defaultFileName(result.prompt ?? '', taskId, url), index))
  })
}
