// httpd (busybox's flags and pages) and curl (7.88's flags, -v trace, exit codes) across a router:
// GET, HEAD, POST's 501, keep-alive between requests, the Common Log Format, -o and the meter.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import cat from '../../../userland/bin/cat.js';
import curl from '../../../userland/bin/curl.js';
import echo from '../../../userland/bin/echo.js';
import httpd from '../../../userland/bin/httpd.js';
import mkdir from '../../../userland/bin/mkdir.js';
import nc from '../../../userland/bin/nc.js';
import printf from '../../../userland/bin/printf.js';
import sh from '../../../userland/bin/sh.js';
import { routedWorld } from '../../helpers/net.js';
import { advance, run, start } from '../../helpers/world.js';

const PROGRAMS = [httpd, curl, sh, cat, echo, mkdir, nc, printf];

async function served() {
  const w = routedWorld(PROGRAMS).world;
  await run(w, 'b', ['sh', '-c', 'mkdir -p /srv/www/sub; echo "<h1>hi</h1>" > /srv/www/index.html; echo text > /srv/www/sub/a.txt']);
  const server = await start(w.mustHost('b'), ['httpd', '-f', '-v', '-p', '8080', '-h', '/srv/www']);
  await advance(w, 10e6);
  return { w, server };
}

describe('httpd and curl', () => {
  it('fetches a page; -v shows the request and response headers, the connection left intact', async () => {
    const { w, server } = await served();
    const r = await run(w, 'a', ['curl', '-sv', 'http://10.0.0.2:8080/']);
    expect(WEXITSTATUS(r.status)).toBe(0);
    expect(r.out).toBe(
      [
        '*   Trying 10.0.0.2:8080...',
        '* Connected to 10.0.0.2 (10.0.0.2) port 8080 (#0)',
        '> GET / HTTP/1.1',
        '> Host: 10.0.0.2:8080',
        '> User-Agent: curl/7.88.1',
        '> Accept: */*',
        '> ',
        '< HTTP/1.1 200 OK',
        '< Content-type: text/html',
        '< Date: Thu, 01 Jan 2026 00:00:00 GMT',
        '< Connection: keep-alive',
        '< Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT',
        '< ETag: "6955b900-c"',
        '< Accept-Ranges: bytes',
        '< Content-Length: 12',
        '< ',
        '{ [12 bytes data]',
        '<h1>hi</h1>',
        '* Connection #0 to host 10.0.0.2 left intact',
        '',
      ].join('\n'),
    );
    expect(server.output()).toMatch(/^192\.168\.1\.10 - - \[01\/Jan\/2026:00:00:00 \+0000\] "GET \/ HTTP\/1\.1" 200 12\n$/);
  });

  it('answers HEAD, 404 and 501 as busybox does; -f makes an error exit 22', async () => {
    const { w } = await served();
    const head = await run(w, 'a', ['curl', '-sI', 'http://10.0.0.2:8080/sub/a.txt']);
    expect(head.out).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-type: text\/plain\r\n[^]*Content-Length: 5\r\n\r\n$/);
    const missing = await run(w, 'a', ['curl', '-s', 'http://10.0.0.2:8080/nope']);
    expect(missing.out).toBe('<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\nThe requested URL was not found\n</BODY></HTML>\n');
    const failing = await run(w, 'a', ['curl', '-f', 'http://10.0.0.2:8080/nope']);
    expect([failing.out, WEXITSTATUS(failing.status)]).toEqual(['curl: (22) The requested URL returned error: 404\n', 22]);
    const post = await run(w, 'a', ['curl', '-s', '-i', '-d', 'a=b', 'http://10.0.0.2:8080/']);
    expect(post.out).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    const escape = await run(w, 'a', ['curl', '-s', '-i', 'http://10.0.0.2:8080/../etc/passwd']);
    expect(escape.out).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('keeps the connection for a second request (keep-alive), and closes on Connection: close', async () => {
    const { w } = await served();
    const req = 'GET /sub/a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /sub/a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const r = await run(w, 'a', ['sh', '-c', `printf '${req.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}' | nc 10.0.0.2 8080`]);
    const parts = r.out.split('HTTP/1.1 200 OK');
    expect(parts.length).toBe(3);
    expect(parts[1]).toContain('Connection: keep-alive');
    expect(parts[2]).toContain('Connection: close');
    expect(WEXITSTATUS(r.status)).toBe(0);
  });

  it('writes -o files with the progress meter on stderr, its speed from the kernel clock', async () => {
    const { w } = await served();
    const r = await run(w, 'a', ['sh', '-c', 'curl -o /tmp/p http://10.0.0.2:8080/sub/a.txt; cat /tmp/p']);
    expect(r.out).toMatch(/^  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n {33}Dload  Upload   Total   Spent    Left  Speed\n\r100     5  100     5    0     0 +\d+      0 --:--:-- --:--:-- --:--:-- +\d+\ntext\n$/);
  });

  it("exits with curl's codes: 7 refused, 6 unknown host, 1 protocol, 3 bad URL, 28 timeout, 2 no URL", async () => {
    const w = routedWorld(PROGRAMS).world;
    const cases: [string[], string, number][] = [
      [['curl', 'http://10.0.0.2:81/'], 'curl: (7) Failed to connect to 10.0.0.2 port 81 after 22 ms: Couldn\'t connect to server\n', 7],
      [['curl', 'http://nosuch/'], 'curl: (6) Could not resolve host: nosuch\n', 6],
      [['curl', 'https://10.0.0.2/'], 'curl: (1) Protocol "https" not supported or disabled in libcurl\n', 1],
      [['curl', 'http://10.0.0.2:99999/'], 'curl: (3) URL using bad/illegal format or missing URL\n', 3],
      [['curl', '-m', '1', 'http://10.0.0.99/'], 'curl: (28) Failed to connect to 10.0.0.99 port 80 after 1000 ms: Timeout was reached\n', 28],
      [['curl', '-s', 'http://10.0.0.2:81/'], '', 7],
      [['curl'], "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n", 2],
    ];
    for (const [argv, out, code] of cases) {
      const r = await run(w, 'a', argv);
      expect([argv, r.out, WEXITSTATUS(r.status)]).toEqual([argv, out, code]);
    }
  });

  it('httpd refuses a bad port or home with busybox-like messages', async () => {
    const w = routedWorld(PROGRAMS).world;
    const bad = await run(w, 'b', ['httpd', '-f', '-p', 'x:80']);
    expect([bad.out, WEXITSTATUS(bad.status)]).toEqual(["httpd: bad port 'x:80'\n", 1]);
    const home = await run(w, 'b', ['httpd', '-f', '-h', '/nope']);
    expect([home.out, WEXITSTATUS(home.status)]).toEqual(["httpd: can't change directory to '/nope': No such file or directory\n", 1]);
  });
});
