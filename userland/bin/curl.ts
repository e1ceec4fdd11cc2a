// curl: an HTTP/1.1 client with curl 7.88's flags, words and exit codes (the curl Debian 12 ships):
// GET, HEAD (-I), POST (-d), any method (-X), -o/-O, -i, -H, -A, -f, -m, --connect-timeout, -s/-S,
// and -v's trace of the connection and of the request and response headers. The progress meter
// appears, as curl's does, when the body does not go to the terminal and -s is not given; its
// speeds come from the kernel clock, so they are the same on every run in virtual time.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_CREAT, O_TRUNC, O_WRONLY } from '../../kernel/abi/fcntl.js';
import { POLLIN } from '../../kernel/abi/poll.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, SOCK_STREAM } from '../../kernel/abi/socket.js';
import { CLOCK_MONOTONIC, type Sys } from '../../kernel/abi/syscalls.js';
import { formatIpv4 } from '../../kernel/abi/wire/index.js';
import { guarded } from '../lib/guard.js';
import { command, parse } from '../lib/cli.js';
import { isatty } from '../lib/fileio.js';
import { field, HeadTooLong, MessageReader } from '../lib/http.js';
import { connectWithin, sendAll, sysMessage } from '../lib/inet.js';
import { eprint, readAll, writeAll } from '../lib/io.js';
import { resolveHost } from '../lib/resolve.js';

const VERSION = '7.88.1';

interface Opts {
  output?: string;
  remoteName?: boolean;
  silent?: boolean;
  showError?: boolean;
  verbose?: boolean;
  head?: boolean;
  include?: boolean;
  request?: string;
  data?: string[];
  header?: string[];
  userAgent?: string;
  fail?: boolean;
  maxTime?: string;
  connectTimeout?: string;
}

/** A failure with curl's exit code and message ("curl: (N) ..."). */
class CurlError {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

interface Url {
  host: string;
  port: number;
  path: string;
  /** Host header: the port only when it is not 80. */
  hostHeader: string;
}

function parseUrl(text: string): Url {
  let rest = text;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'http') throw new CurlError(1, `Protocol "${scheme[1]}" not supported or disabled in libcurl`);
    rest = text.slice(scheme[0].length);
  }
  const m = /^([^/:?#]+)(?::(\d*))?([/?][^#]*)?(?:#.*)?$/.exec(rest);
  if (!m) throw new CurlError(3, 'URL using bad/illegal format or missing URL');
  const port = m[2] ? Number(m[2]) : 80;
  if (port < 1 || port > 65535) throw new CurlError(3, 'URL using bad/illegal format or missing URL');
  let path = m[3] ?? '/';
  if (path.startsWith('?')) path = `/${path}`;
  return { host: m[1]!, port, path, hostHeader: port === 80 ? m[1]! : `${m[1]}:${port}` };
}

/** curl's max5data: a byte count in five columns. */
function size5(n: number): string {
  const K = 1024;
  const M = K * K;
  if (n < 100000) return String(Math.floor(n)).padStart(5);
  if (n < 10000 * K) return `${String(Math.floor(n / K)).padStart(4)}k`;
  if (n < 100 * M) return `${String(Math.floor(n / M)).padStart(2)}.${Math.floor((n % M) / (M / 10))}M`;
  return `${String(Math.floor(n / M)).padStart(4)}M`;
}

function time8(seconds: number): string {
  const s = Math.floor(seconds);
  if (s <= 0) return '--:--:--';
  return `${String(Math.floor(s / 3600)).padStart(2)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

class Meter {
  private shown = false;
  constructor(
    private readonly sys: Sys,
    private readonly on: boolean,
    private readonly t0: number,
  ) {}

  /** The meter's last line (curl rewrites it in place with \r; the final state is what stays). */
  async update(total: number | null, got: number, sent: number, final: boolean): Promise<void> {
    if (!this.on || !final) return;
    const out: string[] = [];
    if (!this.shown)
      out.push('  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n');
    this.shown = true;
    const spent = ((await this.sys.clock_gettime(CLOCK_MONOTONIC)) - this.t0) / 1e9;
    const whole = total ?? got;
    const pct = (n: number) => String(whole ? Math.floor((n * 100) / whole) : 0).padStart(3);
    const dl = spent > 0 ? got / spent : 0;
    const ul = spent > 0 ? sent / spent : 0;
    out.push(
      `\r${pct(got)} ${size5(whole)}  ${pct(got)} ${size5(got)}  ${String(0).padStart(3)} ${size5(sent)}  ${size5(dl)}  ${size5(ul)} ${time8(total !== null && dl > 0 ? total / dl : 0)} ${time8(spent)} ${time8(0)} ${size5(dl)}\n`,
    );
    await writeAll(this.sys, 2, out.join(''));
  }
}

export default defineProgram({
  name: 'curl',
  summary: 'transfer a URL (HTTP)',
  main: guarded('curl', async (argv, sys) => {
    const collect = (v: string, prev: string[] = []) => [...prev, v];
    const cmd = command('curl', 'transfer a URL')
      .argument('[url...]')
      .option('-o, --output <file>', 'Write to file instead of stdout')
      .option('-O, --remote-name', 'Write output to a file named as the remote file')
      .option('-s, --silent', 'Silent mode')
      .option('-S, --show-error', 'Show error even when -s is used')
      .option('-v, --verbose', 'Make the operation more talkative')
      .option('-I, --head', 'Show document info only')
      .option('-i, --include', 'Include protocol response headers in the output')
      .option('-X, --request <method>', 'Specify request method to use')
      .option('-d, --data <data>', 'HTTP POST data', collect)
      .option('-H, --header <header>', 'Pass custom header(s) to server', collect)
      .option('-A, --user-agent <name>', 'Send User-Agent <name> to server')
      .option('-f, --fail', 'Fail fast with no output on HTTP errors')
      .option('-m, --max-time <seconds>', 'Maximum time allowed for transfer')
      .option('--connect-timeout <seconds>', 'Maximum time allowed for connection');
    const r = await parse<Opts>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const quiet = !!o.silent && !o.showError;
    const fail = async (e: CurlError): Promise<number> => {
      if (!quiet) await eprint(sys, `curl: (${e.code}) ${e.message}\n`);
      return e.code;
    };
    if (r.args.length === 0) {
      await eprint(sys, "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
      return 2;
    }
    const secs = (s: string | undefined): number | null => {
      if (s === undefined) return null;
      if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) return NaN;
      return Number(s) * 1000;
    };
    const maxMs = secs(o.maxTime);
    const connectMs = secs(o.connectTimeout);
    if (Number.isNaN(maxMs) || Number.isNaN(connectMs)) {
      await eprint(sys, `curl: option ${Number.isNaN(maxMs) ? '--max-time' : '--connect-timeout'}: expected a proper numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n`);
      return 2;
    }
    try {
      return await transfer(sys, o, r.args[0]!, maxMs, connectMs, quiet);
    } catch (e) {
      if (e instanceof CurlError) return fail(e);
      throw e;
    }
  }),
});

async function transfer(sys: Sys, o: Opts, urlText: string, maxMs: number | null, connectMs: number | null, quiet: boolean): Promise<number> {
  const verbose = o.verbose ? (s: string) => eprint(sys, s) : async () => {};
  const url = parseUrl(urlText);
  const t0 = await sys.clock_gettime(CLOCK_MONOTONIC);
  const elapsedMs = async () => Math.round(((await sys.clock_gettime(CLOCK_MONOTONIC)) - t0) / 1e6);
  const addr = await resolveHost(sys, url.host);
  if (addr === null) throw new CurlError(6, `Could not resolve host: ${url.host}`);
  const ip = formatIpv4(addr);

  let body: Uint8Array | null = null;
  if (o.data) {
    const parts: string[] = [];
    for (const d of o.data) {
      if (d.startsWith('@')) {
        try {
          const fd = await sys.open(d.slice(1), 0);
          parts.push(new TextDecoder().decode(await readAll(sys, fd)).replace(/[\r\n]/g, ''));
          await sys.close(fd);
        } catch {
          await eprint(sys, `Warning: Couldn't read data from file "${d.slice(1)}", this makes an empty POST.\n`);
        }
      } else parts.push(d);
    }
    body = new TextEncoder().encode(parts.join('&'));
  }
  const method = o.request ?? (o.head ? 'HEAD' : body ? 'POST' : 'GET');
  const outPath = o.output ?? (o.remoteName ? url.path.split('?')[0]!.split('/').pop() || '' : undefined);
  if (outPath === '') throw new CurlError(23, 'Remote file name has no length!');
  const toTerminal = outPath === undefined && (await isatty(sys, 1));
  const meter = new Meter(sys, !o.silent && !toTerminal, t0);

  await verbose(`*   Trying ${ip}:${url.port}...\n`);
  const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
  const limit = [connectMs, maxMs].filter((x): x is number => x !== null);
  try {
    await connectWithin(sys, fd, ip, url.port, limit.length ? Math.min(...limit) : null);
  } catch (e) {
    if (!isSysError(e)) throw e;
    const ms = await elapsedMs();
    if (e.errno === 'EINPROGRESS') throw new CurlError(28, `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Timeout was reached`);
    throw new CurlError(7, `Failed to connect to ${url.host} port ${url.port} after ${ms} ms: Couldn't connect to server`);
  }
  await verbose(`* Connected to ${url.host} (${ip}) port ${url.port} (#0)\n`);

  const lines = [`${method} ${url.path} HTTP/1.1`, `Host: ${url.hostHeader}`, `User-Agent: ${o.userAgent ?? `curl/${VERSION}`}`, 'Accept: */*'];
  if (body) lines.push(`Content-Length: ${body.length}`, 'Content-Type: application/x-www-form-urlencoded');
  for (const h of o.header ?? []) {
    const name = h.split(':')[0]!.toLowerCase();
    const i = lines.findIndex((l, k) => k > 0 && l.toLowerCase().startsWith(`${name}:`));
    if (i >= 0) lines.splice(i, 1);
    if (!/^[^:]+:\s*$/.test(h)) lines.push(h);
  }
  for (const l of lines) await verbose(`> ${l}\n`);
  await verbose('> \n');
  let received = 0;
  const deadline = maxMs === null ? null : t0 + maxMs * 1e6;
  const timedOut = async () =>
    new CurlError(28, `Operation timed out after ${await elapsedMs()} milliseconds with ${received} bytes received`);
  try {
    await sendAll(sys, fd, new TextEncoder().encode(lines.map((l) => `${l}\r\n`).join('') + '\r\n'));
    if (body) {
      await sendAll(sys, fd, body);
      if (!toTerminal) await verbose(`} [${body.length} bytes data]\n`);
    }
    const reader = new MessageReader(sys, fd, async () => {
      if (deadline === null) return;
      const left = Math.ceil((deadline - (await sys.clock_gettime(CLOCK_MONOTONIC))) / 1e6);
      const p = [{ fd, events: POLLIN, revents: 0 }];
      if (left <= 0 || (await sys.poll(p, left)) === 0) throw await timedOut();
    });
    let head;
    try {
      head = await reader.head();
    } catch (e) {
      if (e instanceof HeadTooLong) throw new CurlError(8, 'Weird server reply');
      throw e;
    }
    if (head === null) throw new CurlError(52, 'Empty reply from server');
    const status = /^HTTP\/(1\.[01]) (\d{3})/.exec(head.start);
    if (!status) throw new CurlError(1, 'Received HTTP/0.9 when not allowed');
    const code = Number(status[2]);
    const http10 = status[1] === '1.0';
    if (http10) await verbose('* HTTP 1.0, assume close after body\n');
    await verbose(`< ${head.start}\n`);
    for (const [k, v] of head.fields) await verbose(`< ${k}: ${v}\n`);
    await verbose('< \n');
    if (o.fail && code >= 400) {
      await sys.close(fd);
      throw new CurlError(22, `The requested URL returned error: ${code}`);
    }

    let out = 1;
    if (outPath !== undefined) {
      try {
        out = await sys.open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
      } catch (e) {
        if (!quiet) await eprint(sys, `Warning: Failed to open the file ${outPath}: ${sysMessage(e)}\n`);
        throw new CurlError(23, 'Failure writing output to destination');
      }
    }
    const headerText = `${head.start}\r\n${head.fields.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    if (o.include || method === 'HEAD') await writeAll(sys, out, headerText);
    const lengthText = field(head, 'Content-Length');
    const length = lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : null;
    const noBody = method === 'HEAD' || code === 204 || code === 304 || (code >= 100 && code < 200);
    if (!noBody) {
      received = await reader.body(length ?? -1, async (d) => {
        if (!toTerminal) await verbose(`{ [${d.length} bytes data]\n`);
        await writeAll(sys, out, d);
      });
    }
    if (out !== 1) await sys.close(out);
    await meter.update(noBody ? 0 : length, received, body?.length ?? 0, true);
    if (length !== null && !noBody && received < length) throw new CurlError(18, `transfer closed with ${length - received} bytes remaining to read`);
    const closing = http10 ? (field(head, 'Connection') ?? '').toLowerCase() !== 'keep-alive' : (field(head, 'Connection') ?? '').toLowerCase() === 'close';
    await verbose(closing || length === null ? '* Closing connection 0\n' : `* Connection #0 to host ${url.host} left intact\n`);
    await sys.close(fd);
    return 0;
  } catch (e) {
    if (isSysError(e)) throw new CurlError(e.errno === 'ECONNRESET' ? 56 : 55, `${e.errno === 'ECONNRESET' ? 'Recv failure' : 'Send failure'}: ${e.message}`);
    throw e;
  }
}
