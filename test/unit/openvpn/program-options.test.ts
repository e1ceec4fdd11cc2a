// openvpn's options: OpenVPN 2.6.14's words for every mistake (checked against the real binary),
// and tunlab's refusals by name for what it does not implement. Exit status 1, never a trace.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitConfigLine } from '../../../userland/bin/openvpn/config-line.js';
import { KEY, logLines, pairWorld, runFor, runOn, startOn, stop } from './program-helpers.js';

const USE_HELP = 'Use --help for more information.';

async function openvpn(...args: string[]) {
  return runOn(pairWorld(), 'a', ['openvpn', ...args]);
}

async function optionsError(args: string[], ...messages: string[]) {
  const r = await openvpn(...args);
  expect(logLines(r.out)).toEqual([...messages.map((m) => `Options error: ${m}`), USE_HELP]);
  expect(r.status).toBe(1);
}

const unrecognized = (name: string) => `Unrecognized option or missing or extra parameter(s) in [CMD-LINE]:1: ${name} (2.6.14)`;

describe('openvpn option errors, as 2.6.14 words them', () => {
  it('refuses unknown options and wrong parameter counts with one message', async () => {
    await optionsError(['--foo'], unrecognized('foo'));
    await optionsError(['--dev', 'null', '--foo', 'bar'], unrecognized('foo'));
    await optionsError(['--dev'], unrecognized('dev'));
    await optionsError(['--dev', 'null', '--verb', '3', 'junk'], unrecognized('verb'));
    await optionsError(['--dev', 'null', '--keepalive', '10'], unrecognized('keepalive'));
    await optionsError(['--dev', 'tun', '--ifconfig', '10.8.0.1'], unrecognized('ifconfig'));
    await optionsError(['--dev', 'null', '--remote', '1.2.3.4', '5', 'udp', '7'], unrecognized('remote'));
  });

  it('takes --mssfix as 2.6.14 does: a value, then mtu or fixed, nothing else', async () => {
    await optionsError(['--dev', 'null', '--mssfix', '1400', 'foo'], 'Unknown parameter to --mssfix: foo');
    await optionsError(['--dev', 'null', '--mssfix', '1400', 'mtu', 'x'], unrecognized('mssfix'));
  });

  it('wants a leading -- and a --dev', async () => {
    await optionsError(['junk', 'extra'], `I'm trying to parse "junk" as an --option parameter but I don't see a leading '--'`);
    await optionsError(['--remote', '1.2.3.4'], 'You must define TUN/TAP device (--dev)');
  });

  it('checks values as OpenVPN does', async () => {
    await optionsError(['--dev', 'tun', '--ifconfig', '10.8.0.1', 'bad'], "ifconfig parms '10.8.0.1' and 'bad' must be valid addresses");
    await optionsError(['--dev', 'null', '--replay-window', '70000'], 'replay-window window size parameter (70000) must be between 0 and 65536');
    await optionsError(['--dev', 'null', '--replay-window', '64', '700'], 'replay-window time window parameter (700) must be between 0 and 600');
    await optionsError(['--dev', 'null', '--keepalive', '0', '15'], '--keepalive parameters must be > 0');
    await optionsError(
      ['--dev', 'null', '--keepalive', '10', '15'],
      'the second parameter to --keepalive (restart timeout=15) must be at least twice the value of the first parameter (ping interval=10).  A ratio of 1:5 or 1:6 would be even better.  Recommended setting is --keepalive 10 60.',
    );
    await optionsError(
      ['--dev', 'null', '--ping', '1', '--keepalive', '2', '10'],
      "--keepalive conflicts with --ping, --ping-exit, or --ping-restart.  If you use --keepalive, you don't need any of the other --ping directives.",
    );
    await optionsError(
      ['--dev', 'null', '--proto', 'foo'],
      "Bad protocol: 'foo'. Allowed protocols with --proto option: [proto-uninitialized] [udp] [tcp-server] [tcp-client] [tcp] [udp4] [tcp4-server] [tcp4-client] [tcp4] [udp6] [tcp6-server] [tcp6-client] [tcp6]",
    );
    await optionsError(['--genkey', 'bogus', 'x.key'], 'unknown --genkey type: bogus');
    await optionsError(['--config', '/etc/nonexist'], 'In [CMD-LINE]:1: Error opening configuration file: /etc/nonexist');
  });

  it('logs the --secret deprecation while parsing, then the key direction error', async () => {
    const r = await openvpn('--dev', 'null', '--secret', '/etc/k', '2');
    expect(logLines(r.out)).toEqual([
      'DEPRECATED OPTION: The option --secret is deprecated.',
      "Options error: Unknown key direction '2' -- must be '0' or '1'",
      USE_HELP,
    ]);
    expect(r.status).toBe(1);
  });

  it('stats the key file before anything else', async () => {
    const r = await openvpn('--dev', 'null', '--secret', '/etc/nonexist.key');
    expect(logLines(r.out)).toEqual([
      'DEPRECATED OPTION: The option --secret is deprecated.',
      expect.stringMatching(/^DEPRECATION: No tls-client or tls-server option in configuration detected\. OpenVPN 2\.7 will remove/),
      "WARNING: cannot stat file '/etc/nonexist.key': No such file or directory (errno=-2147459069)",
      "Options error: --secret fails with '/etc/nonexist.key': No such file or directory (errno=-2147459069)",
      'Options error: Please correct these errors.',
      USE_HELP,
    ]);
    expect(r.status).toBe(1);
  });
});

describe('the key file', () => {
  it('warns when it is readable by group or others', async () => {
    const w = pairWorld();
    w.mustHost('a').root.install('etc/open.key', KEY, 0o644);
    const r = await runOn(w, 'a', ['openvpn', '--dev', 'null', '--secret', '/etc/open.key', '--cipher', 'AES-256-CBC', '--ping-exit', '1']);
    expect(logLines(r.out).slice(1, 4)).toEqual([
      expect.stringMatching(/^DEPRECATION: /),
      "WARNING: file '/etc/open.key' is group or others accessible",
      'OpenVPN 2.6.14 x86_64-pc-haiku [SSL (tunlab)] [AEAD]',
    ]);
  });
});

describe("tunlab's refusals", () => {
  it('refuses by name what it does not implement', async () => {
    const refused = (name: string, why: string) => `--${name} is not supported by tunlab's openvpn (${why})`;
    await optionsError(['--dev', 'null', '--tls-crypt-v2-verify', '/bin/true'], refused('tls-crypt-v2-verify', 'no scripts or plugins'));
    await optionsError(['--dev', 'null', '--auth-user-pass'], refused('auth-user-pass', 'not implemented'));
    await optionsError(['--dev', 'null', '--data-ciphers', 'AES-256-CBC'], "--data-ciphers: cipher AES-256-CBC is not supported (tunlab's openvpn implements AES-128-GCM, AES-192-GCM, AES-256-GCM and CHACHA20-POLY1305 in TLS mode)");
    await optionsError(['--dev', 'null', '--daemon'], refused('daemon', 'it logs to its standard output; run it in the background with &'));
    await optionsError(['--dev', 'null', '--comp-lzo'], refused('comp-lzo', 'no compression'));
    await optionsError(['--dev', 'null', '--up', '/bin/true'], refused('up', 'no scripts or plugins'));
    await optionsError(['--dev', 'null', '--proto', 'tcp6-server'], "--proto tcp6-server is not supported by tunlab's openvpn (IPv4 only)");
    await optionsError(['--dev', 'null', '--proto', 'udp6'], "--proto udp6 is not supported by tunlab's openvpn (IPv4 only)");
  });
});

describe('bad input (issue 12): names of Object.prototype, ports, --ifconfig', () => {
  it('takes __proto__, constructor and toString for the unknown options they are', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      await optionsError(['--dev', 'null', `--${name}`, 'x'], unrecognized(name));
    }
  });

  it('refuses ports out of range before anything is opened', async () => {
    await optionsError(['--dev', 'tun', '--lport', '99999'], "--lport: '99999' is not a port number (0 to 65535)");
    await optionsError(['--dev', 'tun', '--lport', '-1'], "--lport: '-1' is not a port number (0 to 65535)");
    await optionsError(['--dev', 'null', '--port', '70000'], "--port: '70000' is not a port number (0 to 65535)");
    await optionsError(['--dev', 'null', '--remote', '10.0.0.2', 'http'], "--remote: 'http' is not a port number (0 to 65535)");
  });

  it('reads --config /dev/zero and --secret /dev/urandom only so far, and says so in one line', async () => {
    await optionsError(['--config', '/dev/zero'], 'In [CMD-LINE]:1: Error reading configuration file: /dev/zero (larger than 1048576 bytes)');
    const r = await openvpn('--dev', 'null', '--secret', '/dev/urandom', '--cipher', 'AES-256-CBC');
    expect(logLines(r.out).slice(-2)).toEqual([expect.stringMatching(/^Insufficient key material or header text not found in file '\/dev\/urandom' \(\d+\/128\/256 bytes found\/min\/max\)$/), 'Exiting due to fatal error']);
    expect(r.status).toBe(1);
  });

  it('refuses the same address twice in --ifconfig, as 2.6 does', async () => {
    await optionsError(['--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.1'], 'local and remote/netmask --ifconfig addresses must be different');
  });

  it('TLS mode needs its CA, certificate and key', async () => {
    await optionsError(['--dev', 'null', '--tls-client'], 'You must define CA file (--ca) or CA path (--capath) and/or peer fingerprint verification (--peer-fingerprint)');
    await optionsError(['--dev', 'tun', '--server', '10.8.0.0', '255.255.255.0', '--client'], '--server and --client cannot be used together');
  });
});

describe('fatal errors after the banner', () => {
  const banner = [
    'DEPRECATED OPTION: The option --secret is deprecated.',
    expect.stringMatching(/^DEPRECATION: No tls-client/),
    'OpenVPN 2.6.14 x86_64-pc-haiku [SSL (tunlab)] [AEAD]',
    expect.stringMatching(/^library versions: /),
  ];

  it('refuses an AEAD cipher in static mode exactly as 2.6 does', async () => {
    const r = await openvpn('--dev', 'null', '--secret', '/etc/k', '0', '--cipher', 'AES-256-GCM');
    expect(logLines(r.out)).toEqual([...banner, "Cipher 'AES-256-GCM' mode not supported", 'Exiting due to fatal error']);
    expect(r.status).toBe(1);
  });

  it('has no BF-CBC, the default cipher, as 2.6 on OpenSSL 3', async () => {
    const r = await openvpn('--dev', 'null', '--secret', '/etc/k', '0');
    expect(logLines(r.out)).toEqual([...banner, 'Cipher BF-CBC not supported', 'Exiting due to fatal error']);
  });

  it('refuses unknown digests and device names', async () => {
    const r = await openvpn('--dev', 'null', '--secret', '/etc/k', '--cipher', 'AES-256-CBC', '--auth', 'FOO');
    expect(logLines(r.out).slice(-3)).toEqual([
      'OpenSSL: error:0308010C:digital envelope routines::unsupported:Global default library context, Algorithm (FOO : 0), Properties (<null>)',
      "Message hash algorithm 'FOO' not found",
      'Exiting due to fatal error',
    ]);
    const d = await openvpn('--dev', 'foo', '--secret', '/etc/k', '--cipher', 'AES-256-CBC');
    expect(logLines(d.out).slice(-2)).toEqual(["I don't recognize device foo as a tun or tap device", 'Exiting due to fatal error']);
    expect(d.status).toBe(1);
  });

  it('reports a damaged key file in read_key_file()s words', async () => {
    const w = pairWorld();
    w.mustHost('a').root.install('etc/bad.key', '-----BEGIN OpenVPN Static key V1-----\nzz\n');
    const r = await runOn(w, 'a', ['openvpn', '--dev', 'null', '--secret', '/etc/bad.key', '--cipher', 'AES-256-CBC']);
    expect(logLines(r.out).slice(-2)).toEqual([
      "Non-Hex character ('z') found at line 2 in key file '/etc/bad.key' (0/128/256 bytes found/min/max)",
      'Exiting due to fatal error',
    ]);
  });
});

describe('config files', () => {
  it('reads one option a line, comments and quotes, and names the file and line in errors', async () => {
    const w = pairWorld();
    w.mustHost('a').root.install('etc/bad.conf', '# a comment\ndev null\n; another\nfoo bar\n');
    const r = await runOn(w, 'a', ['openvpn', '--config', '/etc/bad.conf']);
    expect(logLines(r.out)).toEqual([`Options error: Unrecognized option or missing or extra parameter(s) in /etc/bad.conf:4: foo (2.6.14)`, USE_HELP]);
    // `openvpn FILE` alone is `openvpn --config FILE`.
    const r2 = await runOn(w, 'a', ['openvpn', '/etc/bad.conf']);
    expect(r2.out).toBe(r.out);
  });

  it('takes an inline <secret> with key-direction, and a leading -- on a line', async () => {
    const w = pairWorld();
    const body = KEY.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    w.mustHost('a').root.install(
      'etc/inline.conf',
      `--dev null\nremote 10.0.0.2 # the peer\ncipher "AES-256-CBC"\nauth SHA256\nkey-direction 1\nping-exit 2\nverb 3\n<secret>\n${body}</secret>\n`,
    );
    const r = await runOn(w, 'a', ['openvpn', '--config', '/etc/inline.conf']);
    const lines = logLines(r.out);
    expect(lines).toContain('UDPv4 link remote: [AF_INET]10.0.0.2:1194');
    expect(lines.slice(-3)).toEqual(['Inactivity timeout (--ping-exit), exiting', 'Closing TUN/TAP interface', 'SIGTERM[soft,ping-exit] received, process exiting']);
    expect(r.status).toBe(0);
  });
});

describe('--help and --version', () => {
  it('prints the help (status 1, as OpenVPN) and the version (status 0)', async () => {
    const h = await openvpn('--help');
    expect(h.out).toMatch(/^OpenVPN 2\.6\.14 x86_64-pc-haiku .*\n\nGeneral Options:\n--config file   : Read configuration options from file\.\n/);
    expect(h.out).toContain('--secret f [d]  : (DEPRECATED) Enable Static Key encryption mode (non-TLS).');
    expect(h.status).toBe(1);
    expect(await openvpn()).toEqual(h);
    const v = await openvpn('--version');
    expect(v.out.split('\n')[0]).toBe('OpenVPN 2.6.14 x86_64-pc-haiku [SSL (tunlab)] [AEAD]');
    expect(v.status).toBe(0);
  });
});

describe('--verb 4', () => {
  it("prints 2.6.14's Current Parameter Settings line for line", async () => {
    // Captured from the real binary with the same options (--suppress-timestamps, so no prefixes).
    const real = readFileSync(new URL('./vectors/real-2.6.14-verb4-settings.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);
    const w = pairWorld();
    w.mustHost('a').root.install('boot/home/k.key', KEY, 0o600); // the cwd
    const args =
      '--dev null --remote 127.0.0.1 --rport 11999 --local 127.0.0.1 --lport 11998 --secret k.key 1 --cipher AES-128-CBC --auth SHA512 --keepalive 10 60 --float --persist-tun --persist-key --route 10.10.0.0 255.255.255.0 10.8.0.1 --route 10.11.0.0 --route-noexec --ifconfig 10.8.0.2 10.8.0.1 --ifconfig-noexec --mute-replay-warnings --replay-window 128 30 --tun-mtu 1400 --verb 4 --suppress-timestamps';
    const s = await startOn(w, 'a', ['openvpn', ...args.split(' ')]);
    await runFor(w, 0.5);
    await stop(w, s, 2);
    const ours = s.output().split('\n');
    const at = ours.indexOf('Current Parameter Settings:');
    expect(ours.slice(at, at + real.length)).toEqual(real);
  });
});

describe('config file lines', () => {
  it('split as parse_line() does', () => {
    expect(splitConfigLine('remote vpn.example 1194 # the server')).toEqual(['remote', 'vpn.example', '1194']);
    expect(splitConfigLine('  ; a comment')).toEqual([]);
    expect(splitConfigLine('cipher "AES-256-CBC"')).toEqual(['cipher', 'AES-256-CBC']);
    expect(splitConfigLine("secret 'my key.txt' 1")).toEqual(['secret', 'my key.txt', '1']);
    expect(splitConfigLine('secret my\\ key.txt')).toEqual(['secret', 'my key.txt']);
    expect(splitConfigLine('route 10.0.0.0#not-a-comment')).toEqual(['route', '10.0.0.0#not-a-comment']);
  });
});
