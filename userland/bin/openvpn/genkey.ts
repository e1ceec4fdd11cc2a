// --genkey (init.c do_genkey, crypto.c write_pem_key_file, tls_crypt.c): the 2048-bit static key
// (secret, tls-auth, tls-crypt), the tls-crypt-v2 server key, and a tls-crypt-v2 client key wrapped
// by the server key --tls-crypt-v2 names. Key bytes come from /dev/random; without a file name
// the key goes to standard output. Errors are 2.6's lines, each fatal one ending the program.

import { O_CLOEXEC, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import { CLOCK_REALTIME, type Sys } from '../../../kernel/abi/syscalls.js';
import { errnoText } from './device.js';
import { D_SHOW_PARMS, FatalError, type Logger, M_FATAL } from './log.js';
import type { FileOption } from './option-spec.js';
import type { GenkeyRequest } from './options.js';
import { formatStaticKey, STATIC_KEY_LENGTH } from './static-key.js';
import { loadV2ServerKey } from './tls-setup.js';
import { CLIENT_PEM_NAME, clientMetadata, parseClientKey, pemEncode, SERVER_KEY_LENGTH, SERVER_PEM_NAME, unwrapClientKey, wrapClientKey } from './tls-crypt-v2.js';
import { controlChannelKeyLines } from './tls-session.js';


async function randomBytes(sys: Sys, n: number): Promise<Uint8Array> {
  const fd = await sys.open('/dev/random', O_RDONLY | O_CLOEXEC);
  const out = new Uint8Array(n);
  try {
    for (let got = 0; got < n; ) {
      const chunk = await sys.read(fd, n - got);
      out.set(chunk, got);
      got += chunk.length;
    }
  } finally {
    await sys.close(fd);
  }
  return out;
}

/** buffer_write_file(): 0600, as 2.6 creates key files; the open error is logged here. */
async function writeKeyFile(sys: Sys, log: Logger, file: string, text: string): Promise<string | null> {
  let fd: number;
  try {
    fd = await sys.open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600);
  } catch (e) {
    const why = errnoText(e);
    await log.msg(M_FATAL, `Cannot open file '${file}' for write: ${why}`);
    return why;
  }
  try {
    let bytes = new TextEncoder().encode(text);
    while (bytes.length > 0) bytes = bytes.subarray(await sys.write(fd, bytes));
  } finally {
    await sys.close(fd);
  }
  return null;
}

/** Run --genkey; the exit status. `serverKey` is --tls-crypt-v2, for a client key. */
export async function genkey(sys: Sys, log: Logger, req: GenkeyRequest, serverKey: FileOption | null): Promise<number> {
  try {
    if (req.type === 'tls-crypt-v2-server') {
      const text = pemEncode(SERVER_PEM_NAME, await randomBytes(sys, SERVER_KEY_LENGTH));
      if (req.file === null) await log.raw(text);
      else {
        const why = await writeKeyFile(sys, log, req.file, text);
        if (why !== null) throw new FatalError([`ERROR: could not write key file: ${why}`]);
      }
      return 0;
    }
    if (req.type === 'tls-crypt-v2-client') return await genClientKey(sys, log, req, serverKey);
    const text = formatStaticKey(await randomBytes(sys, STATIC_KEY_LENGTH));
    if (req.file === null) await log.raw(text);
    else if ((await writeKeyFile(sys, log, req.file, text)) !== null) throw new FatalError(['Failed to write key file']);
    return 0;
  } catch (e) {
    if (!(e instanceof FatalError)) throw e;
    for (const line of e.lines) await log.msg(M_FATAL, line);
    await log.msg(M_FATAL, 'Exiting due to fatal error');
    return 1;
  }
}

/** tls_crypt_v2_write_client_key_file(), with its two loading checks. */
async function genClientKey(sys: Sys, log: Logger, req: GenkeyRequest, serverKey: FileOption | null): Promise<number> {
  if (serverKey === null) {
    await log.raw('Options error: --genkey tls-crypt-v2-client requires a server key to be set via --tls-crypt-v2 to create a client key');
    await log.raw('Use --help for more information.');
    return 1;
  }
  const kc = await randomBytes(sys, STATIC_KEY_LENGTH);
  const meta = clientMetadata(req.metadata, Math.floor((await sys.clock_gettime(CLOCK_REALTIME)) / 1e9));
  if (!meta.ok) throw new FatalError(meta.lines);
  const server = await loadV2ServerKey(sys, log, serverKey);
  const wkc = wrapClientKey(server, kc, meta.value);
  const body = new Uint8Array(kc.length + wkc.length);
  body.set(kc);
  body.set(wkc, kc.length);
  const text = pemEncode(CLIENT_PEM_NAME, body);
  // Without a file 2.6 prints the key with printf("%s\n"): a blank line follows it.
  if (req.file === null) await log.raw(`${text}\n`);
  else if ((await writeKeyFile(sys, log, req.file, text)) !== null) throw new FatalError(['ERROR: could not write client key file']);
  await log.msg(D_SHOW_PARMS, 'Testing client-side key loading...');
  const client = parseClientKey(text);
  if (!client.ok) throw new FatalError(client.lines);
  for (const line of controlChannelKeyLines()) await log.msg(D_SHOW_PARMS, line);
  await loadV2ServerKey(sys, log, serverKey);
  await log.msg(D_SHOW_PARMS, 'Testing server-side key loading...');
  const back = unwrapClientKey(server, client.value.wkc);
  if (!back.ok) throw new FatalError(back.lines);
  return 0;
}
