/**
 * Where `--out` saves a result, and `--open`. The default name is made from
 * the prompt and the task id, so two runs never overwrite each other and a
 * folder of results stays readable.
 */
import { spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { extname, join, resolve, sep } from 'node:path'

const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', 'avif', 'heic'])

/** Lower-case ASCII words joined by dashes, at most `max` characters; empty when nothing is left. */
export function slugify(text: string, max = 48): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return slug.slice(0, max).replace(/-+$/, '')
}

/** The extension of a result URL's path, or png (what the service makes). */
export function extensionOf(url: string): string {
  try {
    const match = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)
    const extension = match?.[1]?.toLowerCase()
    return extension && IMAGE_EXTENSIONS.has(extension) ? extension : 'png'
  } catch {
    return 'png'
  }
}

/** `<prompt-slug>-<task-id>.<ext>`; a prompt with no Latin letters (e.g. Chinese) gives `image-<task-id>`. */
export function defaultFileName(prompt: string, taskId: string, url: string): string {
  const words = slugify(prompt) || 'image'
  const id = slugify(taskId, 40) || 'task'
  return `${words}-${id}.${extensionOf(url)}`
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * The name of a task's image number `index` (from 0) of `count` saved under
 * one name: the name itself, then `name-2.png`, `name-3.png`…
 */
export function numberedFileName(name: string, index: number): string {
  if (index === 0) return name
  const extension = extname(name)
  return `${extension ? name.slice(0, -extension.length) : name}-${index + 1}${extension}`
}

/** The default name of a task's image number `index` of `count`: `<prompt-slug>-<task-id>.png`, `-<task-id>-2.png` when there are several. */
export function defaultResultFileName(prompt: string, taskId: string, url: string, index: number, count: number): string {
  return defaultFileName(prompt, count > 1 ? `${taskId}-${index + 1}` : taskId, url)
}

/**
 * The files `--out` means for a task's images, one per URL: default names in
 * the current folder for a bare `--out`, inside the folder when it names one
 * (or ends with a slash), else the path as given (then `name-2.png`… for more).
 */
export function resolveOutPaths(out: string, prompt: string, taskId: string, urls: readonly string[], cwd = process.cwd()): string[] {
  const target = resolve(cwd, out)
  const folder = out === '' ? cwd : out.endsWith('/') || out.endsWith(sep) || isDirectory(target) ? target : undefined
  return urls.map((url, index) => (folder === undefined ? numberedFileName(target, index) : join(folder, defaultResultFileName(prompt, taskId, url, index, urls.length))))
}

/** Opens a file or URL with the desktop's default application; never waits for it and never fails the command (`onError` gets the reason). */
export function openWithDefaultApp(target: string, onError: (message: string) => void): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [target]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', target]] : ['xdg-open', [target]]
  try {
    const child = spawn(command as string, args as string[], { detached: true, stdio: 'ignore' })
    child.on('error', (error) => onError(error.message))
    child.unref()
  } catch (error) {
    onError((error as Error).message)
  }
}
