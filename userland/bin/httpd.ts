// httpd: busybox's small web server, with its flags (-f foreground, -p [IP:]PORT, -h HOME, -v) and
// its responses (status line, Content-type, Date, Last-Modified, ETag "mtime-size",
// Accept-Ranges, Content-Length; error pages in its HTML). Static files only, GET and HEAD: other
// methods are 501, as busybox answers them without CGI. Unlike busybox, a connection stays open
// for the next request (HTTP/1.1 keep-alive) unless the client says close or speaks HTTP/1.0
// without keep-alive. -v logs each request on stderr in the Common Log Format. Each connection
// is served by a thread of its own, so a slow client does not hold up the others.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { AF_INET, SO_REUSEADDR, SOCK_STREAM, SOL_SOCKET, sockaddrIn } from '../../kernel/abi/socket.js';
import { S_IFDIR, S_IFMT, S_IFREG } from '../../kernel/abi/stat.js';
import { CLOCK_REALTIME, type Sys } from '../../kernel/abi/syscalls.js';
import { parseIpv4 } from '../../kernel/abi/wire/index.js';
import { guarded } from '../lib/guard.js';
import { command, parse } from '../lib/cli.js';
import { field, type Head, HeadTooLong, httpDate, MessageReader } from '../lib/http.js';
import { sendAll, sysMessage } from '../lib/inet.js';
import { eprint } from '../lib/io.js';
import { strftime } from '../lib/strftime.js';

const TYPES: ReadonlyMap<string, string> = new Map<string, string>([
  ['html', 'text/html'],
  ['htm', 'text/html'],
  ['txt', 'text/plain'],
  ['css', 'text/css'],
  ['js', 'application/javascript'],
  ['json', 'application/json'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['gif', 'image/gif'],
  ['svg', 'image/svg+xml'],
  ['xml', 'text/xml'],
]);

// busybox's http_response table: the reason phrase and the sentence of its error page.
const ERRORS: ReadonlyMap<number, readonly [string, string]> = new Map<number, [string, string]>([
  [400, ['Bad Request', 'Unsupported method']],
  [403, ['Forbidden', '']],
  [404, ['Not Found', 'The requested URL was not found']],
  [431, ['Request Header Fields Too Large', 'Request header fields too large']],
  [500, ['Internal Server Error', 'Internal Server Error']],
  [501, ['Not Implemented', 'The requested method is not recognized']],
]);

interface Opts {
  foreground?: boolean;
  port: string;
  home: string;
  verbose?: boolean;
}

class Conn {
  constructor(
    readonly sys: Sys,
    readonly fd: number,
    readonly peer: string,
    readonly home: string,
    readonly verbose: boolean,
  ) {}

  async log(request: string, status: number, bytes: number): Promise<void> {
    if (!this.verbose) return;
    const when = strftime('%d/%b/%Y:%H:%M:%S +0000', await this.sys.clock_gettime(CLOCK_REALTIME));
    await eprint(this.sys, `${this.peer} - - [${when}] "${request}" ${status} ${bytes || '-'}\n`);
  }

  async send(status: number, reason: string, headers: [string, string][], keep: boolean, body: Uint8Array | null): Promise<void> {
    const now = httpDate(await this.sys.clock_gettime(CLOCK_REALTIME));
    let head = `HTTP/1.1 ${status} ${reason}\r\n`;
    const all: [string, string][] = [...headers.slice(0, 1), ['Date', now], ['Connection', keep ? 'keep-alive' : 'close'], ...headers.slice(1)];
    for (const [k, v] of all) head += `${k}: ${v}\r\n`;
    head += '\r\n';
    await sendAll(this.sys, this.fd, new TextEncoder().encode(head));
    if (body) await sendAll(this.sys, this.fd, body);
  }

  async error(status: number, keep: boolean, headOnly: boolean): Promise<number> {
    const [reason, text] = ERRORS.get(status)!;
    const page = new TextEncoder().encode(`<HTML><HEAD><TITLE>${status} ${reason}</TITLE></HEAD>\n<BODY><H1>${status} ${reason}</H1>\n${text}\n</BODY></HTML>\n`);
    await this.send(status, reason, [['Content-type', 'text/html'], ['Content-Length', String(page.length)]], keep, headOnly ? null : page);
    return headOnly ? 0 : page.length;
  }
}

/** The file a request path names under home, or null if it would leave home. */
function localPath(home: string, url: string): string | null {
  const raw = url.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/')) return null;
  const parts: string[] = [];
  for (const p of decoded.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') return null;
    parts.push(p);
  }
  return `${home.replace(/\/+$/, '')}/${parts.join('/')}${decoded.endsWith('/') && parts.length ? '/' : ''}`;
}

/** Serves one request; false when the connection is to be closed. */
async function serveOne(c: Conn, reader: MessageReader): Promise<boolean> {
  let h: Head | null;
  try {
    h = await reader.head();
  } catch (e) {
    if (e instanceof HeadTooLong) {
      await c.error(431, false, false);
      return false;
    }
    throw e;
  }
  if (h === null) return false;
  const [method = '', url = '', version = ''] = h.start.split(' ');
  const http11 = version === 'HTTP/1.1';
  const conn = (field(h, 'Connection') ?? '').toLowerCase();
  let keep = http11 ? conn !== 'close' : conn === 'keep-alive';
  const headOnly = method === 'HEAD';
  // A request body we do not use is read past, so the next request starts where it should.
  const length = Number(field(h, 'Content-Length') ?? '0');
  if (!Number.isSafeInteger(length) || length < 0) keep = false;
  else if (length > 0) await reader.body(length, async () => {});
  if (!/^HTTP\/1\.[01]$/.test(version) || !url.startsWith('/')) {
    await c.log(h.start, 400, await c.error(400, false, false));
    return false;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    await c.log(h.start, 501, await c.error(501, keep, false));
    return keep;
  }
  let path = localPath(c.home, url);
  if (path === null) {
    await c.log(h.start, 400, await c.error(400, keep, headOnly));
    return keep;
  }
  let st;
  try {
    st = await c.sys.stat(path);
    if ((st.st_mode & S_IFMT) === S_IFDIR) {
      path = `${path.replace(/\/$/, '')}/index.html`;
      st = await c.sys.stat(path);
    }
  } catch {
    await c.log(h.start, 404, await c.error(404, keep, headOnly));
    return keep;
  }
  if ((st.st_mode & S_IFMT) !== S_IFREG) {
    await c.log(h.start, 403, await c.error(403, keep, headOnly));
    return keep;
  }
  let fd: number;
  try {
    fd = await c.sys.open(path, O_RDONLY);
  } catch {
    await c.log(h.start, 403, await c.error(403, keep, headOnly));
    return keep;
  }
  const ext = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  const mtimeS = Math.floor(st.st_mtime_ns / 1e9);
  await c.send(
    200,
    'OK',
    [
      ['Content-type', TYPES.get(ext) ?? 'application/octet-stream'],
      ['Last-Modified', httpDate(st.st_mtime_ns)],
      ['ETag', `"${mtimeS.toString(16)}-${st.st_size.toString(16)}"`],
      ['Accept-Ranges', 'bytes'],
      ['Content-Length', String(st.st_size)],
    ],
    keep,
    null,
  );
  let sent = 0;
  if (!headOnly)
    for (;;) {
      const d = await c.sys.read(fd, 65536);
      if (d.length === 0) break;
      await sendAll(c.sys, c.fd, d);
      sent += d.length;
    }
  await c.sys.close(fd);
  await c.log(h.start, 200, sent);
  return keep;
}

async function serve(c: Conn): Promise<void> {
  const reader = new MessageReader(c.sys, c.fd);
  try {
    while (await serveOne(c, reader));
  } catch (e) {
    // A peer that resets or vanishes ends its connection, never the server.
    if (!isSysError(e)) throw e;
  }
  await c.sys.close(c.fd).catch(() => 0);
}

export default defineProgram({
  name: 'httpd',
  summary: 'a small web server (busybox httpd)',
  main: guarded('httpd', async (argv, sys) => {
    const cmd = command('httpd', 'Listen for incoming HTTP requests')
      .option('-f, --foreground', "don't daemonize")
      .option('-v, --verbose', 'verbose: log each request on stderr (Common Log Format)')
      .option('-p, --port <port>', '[IP:]PORT to bind to', '80')
      .option('-h, --home <dir>', 'home directory', '.');
    const r = await parse<Opts>(sys, cmd, argv);
    if ('status' in r) return r.status === 2 ? 1 : r.status;
    const o = r.opts;
    const m = /^(?:(.+):)?(\d+)$/.exec(o.port);
    const ip = m?.[1] ?? '0.0.0.0';
    const port = m ? Number(m[2]) : NaN;
    if (!m || parseIpv4(ip) === null || port < 1 || port > 65535) {
      await eprint(sys, `httpd: bad port '${o.port}'\n`);
      return 1;
    }
    let home: string;
    try {
      await sys.chdir(o.home);
      home = await sys.getcwd();
    } catch (e) {
      await eprint(sys, `httpd: can't change directory to '${o.home}': ${sysMessage(e)}\n`);
      return 1;
    }
    const ls = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, 1);
    try {
      await sys.bind(ls, sockaddrIn(ip, port));
      await sys.listen(ls, 9);
    } catch (e) {
      await eprint(sys, `httpd: bind: ${sysMessage(e)}\n`);
      return 1;
    }
    if (!o.foreground) {
      // Daemonizing: a child carries on in the foreground mode and the command returns at once.
      await sys.close(ls);
      const args = ['httpd', '-f', '-p', o.port, '-h', home, ...(o.verbose ? ['-v'] : [])];
      await sys.spawn('/bin/httpd', args, {});
      return 0;
    }
    for (;;) {
      const a = await sys.accept(ls);
      const peer = 'sin_addr' in a.addr ? a.addr.sin_addr : '?';
      await sys.spawn_thread((t) => serve(new Conn(t, a.fd, peer, home, !!o.verbose)));
    }
  }),
});
