/**
 * https for the local server: a throw-away certificate made at start-up, and
 * that certificate written to a file that clients can be told to trust.
 * `selfsigned` is loaded only here, and only when a server asks for tls, so
 * users of the plain server never load it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as SelfsignedModule from 'selfsigned'

/**
 * What to trust to reach a local server started with `tls: true`: its
 * certificate, self-signed, which clients take as a CA.
 *
 * @example
 * ```ts
 * const server = await startImaServer({ tls: true })
 * // In a child process, Node trusts it through the environment:
 * spawn('node', ['app.js'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: server.ca?.path } })
 * // curl --cacert "$path" …, or REQUESTS_CA_BUNDLE="$path" for Python requests
 * ```
 */
export interface ImaServerCa {
  /** The CA certificate in PEM form, e.g. for `tls.connect({ ca })` or an undici `Agent`. */
  readonly pem: string
  /** A file holding `pem`, for `NODE_EXTRA_CA_CERTS`, `REQUESTS_CA_BUNDLE` or `curl --cacert`; removed by `server.close()`. */
  readonly path: string
}

/** What an https listener needs, and the CA to hand out. */
export interface LocalTls {
  /** The server certificate's private key (PEM); never written to disk. */
  readonly key: string
  /** The server certificate (PEM); the same text as `ca.pem`. */
  readonly cert: string
  readonly ca: ImaServerCa
  /** Removes the CA file and its temporary directory. */
  dispose(): Promise<void>
}

/** The names a loopback server is reached by; the bound host is added when it is another one. */
const LOOPBACK_NAMES = ['127.0.0.1', '::1', 'localhost']

/** How long the certificate is valid: long enough for a working week of `ima serve`, short enough to be worthless elsewhere. */
const VALIDITY_MS = 7 * 24 * 60 * 60 * 1000
/** Starts a little in the past so a clock a few minutes behind still accepts the certificate. */
const BACKDATE_MS = 5 * 60 * 1000

/** The subjectAltName entries of the server certificate (type 7: IP address, 2: DNS name). */
function altNames(hosts: readonly string[]): { type: 2 | 7; value?: string; ip?: string }[] {
  const names = new Set(LOOPBACK_NAMES)
  for (const host of hosts) {
    const bare = host.replace(/^\[(.*)\]$/, '$1')
    // Wildcard binds are reached through loopback, which is already covered.
    if (bare !== '' && bare !== '0.0.0.0' && bare !== '::') names.add(bare)
  }
  return [...names].map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }))
}

/**
 * Makes a self-signed certificate for loopback (`127.0.0.1`, `::1`,
 * `localhost`, plus `hosts`), valid for 7 days, and writes it to a fresh
 * temporary directory as the CA to trust. EC P-256: made in milliseconds.
 *
 * One certificate that is its own trust anchor, not a CA signing a server
 * certificate: `selfsigned` cannot write the key identifiers that Python 3.13+
 * (`VERIFY_X509_STRICT`, on by default in `requests`, `httpx`, `urllib`)
 * demands of a CA-signed chain; a self-signed end certificate is exempt.
 *
 * @example
 * ```ts
 * const tls = await createLocalTls(['127.0.0.1'])
 * const server = createServer({ key: tls.key, cert: tls.cert }, handler) // node:https
 * spawn('curl', ['--cacert', tls.ca.path, 'https://127.0.0.1:8443/'])
 * await tls.dispose()
 * ```
 */
export async function createLocalTls(hosts: readonly string[] = []): Promise<LocalTls> {
  let selfsigned: typeof SelfsignedModule
  try {
    selfsigned = await import('selfsigned')
  } catch (error) {
    throw new Error('ImaServer: tls needs the "selfsigned" package, which could not be loaded; reinstall ima-open-sdk or start without tls', { cause: error })
  }
  const notBeforeDate = new Date(Date.now() - BACKDATE_MS)
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'ima-open-sdk local test server' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALIDITY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: altNames(hosts) },
    ],
  })
  const directory = await mkdtemp(join(tmpdir(), 'ima-server-ca-'))
  const path = join(directory, 'ca.pem')
  try {
    await writeFile(path, pems.cert, { mode: 0o644 })
  } catch (error) {
    await rm(directory, { recursive: true, force: true })
    throw error
  }
  let disposed: Promise<void> | undefined
  return {
    key: pems.private,
    cert: pems.cert,
    ca: { pem: pems.cert, path },
    dispose() {
      disposed ??= rm(directory, { recursive: true, force: true })
      return disposed
    },
  }
}
