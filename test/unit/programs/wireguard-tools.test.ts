// wg and wg-quick in the default world. wg's layouts, messages and statuses are those the real wg
// 1.0.20210914 printed on this machine for the same commands against a real wireguard-go
// (the reference's keys a.key/b.pub); wg-quick's steps are those of its Linux script, its `ip` work
// done through ioctls and printed as the `ip` lines that would do it.

import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Session } from '../../../bin/session.js';

const VECTORS = fileURLToPath(new URL('../wireguard/vectors/', import.meta.url));
const A_KEY = fs.readFileSync(`${VECTORS}a.key`, 'utf8').trim();
const A_PUB = fs.readFileSync(`${VECTORS}a.pub`, 'utf8').trim();
const B_PUB = fs.readFileSync(`${VECTORS}b.pub`, 'utf8').trim();

/** A shell script on haiku of a fresh default world; everything it printed, stdout and stderr together. */
async function sh(script: string): Promise<string> {
  const session = await Session.create({ clock: 'virtual' });
  const dec = new TextDecoder();
  let out = '';
  const collect = (d: Uint8Array) => void (out += dec.decode(d, { stream: true }));
  const { shell } = await session.startShell(['-c', `export WG_COLOR_MODE=never\n${script}`], { tty: false, out: collect, err: collect });
  await session.run(() => !shell.alive);
  return out;
}

const SET = `echo ${A_KEY} > a.key; wireguard-go wgT; wg set wgT private-key a.key listen-port 51820; wg set wgT peer ${B_PUB} endpoint 127.0.0.1:51821 allowed-ips 10.9.0.2/32,10.10.0.0/16,fd00::3/128`;

describe('wg', () => {
  it('shows a device as the real wg does: pretty, one field, dump, all, showconf', async () => {
    const out = await sh(`${SET}\nwg show wgT\nwg show wgT dump\nwg show all dump\nwg showconf wgT\nwg show wgT allowed-ips\nwg show all listen-port\nwg show wgT fwmark\nwg show wgT preshared-keys\nwg show interfaces`);
    expect(out).toBe(
      [
        'interface: wgT',
        `  public key: ${A_PUB}`,
        '  private key: (hidden)',
        '  listening port: 51820',
        '',
        `peer: ${B_PUB}`,
        '  endpoint: 127.0.0.1:51821',
        '  allowed ips: 10.9.0.2/32, 10.10.0.0/16, fd00::3/128',
        `${A_KEY}\t${A_PUB}\t51820\toff`,
        `${B_PUB}\t(none)\t127.0.0.1:51821\t10.9.0.2/32,10.10.0.0/16,fd00::3/128\t0\t0\t0\toff`,
        `wgT\t${A_KEY}\t${A_PUB}\t51820\toff`,
        `wgT\t${B_PUB}\t(none)\t127.0.0.1:51821\t10.9.0.2/32,10.10.0.0/16,fd00::3/128\t0\t0\t0\toff`,
        '[Interface]',
        'ListenPort = 51820',
        `PrivateKey = ${A_KEY}`,
        '',
        '[Peer]',
        `PublicKey = ${B_PUB}`,
        'AllowedIPs = 10.9.0.2/32, 10.10.0.0/16, fd00::3/128',
        'Endpoint = 127.0.0.1:51821',
        `${B_PUB}\t10.9.0.2/32 10.10.0.0/16 fd00::3/128`,
        'wgT\t51820',
        'off',
        `${B_PUB}\t(none)`,
        'wgT',
        '',
      ].join('\n'),
    );
  });

  it("refuses bad words with wg's messages and status 1", async () => {
    const out = await sh(
      [
        SET,
        'wg show wgT bogus; echo rc=$?',
        'wg set wgT listen-port notanumber; echo rc=$?',
        'wg set wgT peer zzz; echo rc=$?',
        `wg set wgT peer ${B_PUB} endpoint 1.2.3; echo rc=$?`,
        `wg set wgT peer ${B_PUB} allowed-ips 10.0.0.0/33; echo rc=$?`,
        `wg set wgT peer ${B_PUB} allowed-ips 1.2.3.x; echo rc=$?`,
        `wg set wgT peer ${B_PUB} persistent-keepalive 70000; echo rc=$?`,
        'wg set wgT fwmark 0x1ffffffff; echo rc=$?',
        'wg set wgT private-key /nonexistent; echo rc=$?',
        'wg set nonexist listen-port 1; echo rc=$?',
        'wg show bogus; echo rc=$?',
        'wg set wgT peer; echo rc=$?',
        'wg genkey --bogus; echo rc=$?',
        'wg bogus 2>&1 | head -1',
      ].join('\n'),
    );
    expect(out).toBe(
      [
        "Invalid parameter: `bogus'",
        'Usage: wg show { <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump]',
        'rc=1',
        "Servname not supported for ai_socktype: `notanumber'",
        'rc=1',
        "Key is not the correct length or format: `zzz'",
        'rc=1',
        "Unable to find port of endpoint: `1.2.3'",
        'rc=1',
        "AllowedIP is not in the correct format: `10.0.0.0/33'",
        'rc=1',
        "Unable to parse IP address: `1.2.3.x'",
        'rc=1',
        "Persistent keepalive interval is neither 0/off nor 1-65535: `70000'",
        'rc=1',
        "Fwmark is neither 0/off nor 0-0xffffffff: `0x1ffffffff'",
        'rc=1',
        'fopen: No such file or directory',
        'rc=1',
        'Unable to modify interface: Protocol not supported',
        'rc=1',
        'Unable to access interface: Protocol not supported',
        'rc=1',
        'Invalid argument: peer',
        'rc=1',
        'Usage: wg genkey',
        'rc=1',
        "Invalid subcommand: `bogus'",
        '',
      ].join('\n'),
    );
  });

  it("takes an endpoint's port as getaddrinfo does, its low 16 bits", async () => {
    const out = await sh([SET, `wg set wgT peer ${B_PUB} endpoint 1.2.3.4:99999; echo rc=$?`, 'wg show wgT endpoints'].join('\n'));
    expect(out).toBe(`rc=0\n${B_PUB}\t1.2.3.4:34463\n`);
  });

  it('tells a user who may not reach the daemon so, as wg does (Permission denied, status 1)', async () => {
    const out = await sh([SET, "su 1000 -c 'wg show'; echo rc=$?", "su 1000 -c 'wg show wgT'; echo rc=$?", "su 1000 -c 'wg showconf wgT'; echo rc=$?"].join('\n'));
    expect(out).toBe(
      ['Unable to access interface wgT: Permission denied', 'rc=1', 'Unable to access interface: Permission denied', 'rc=1', 'Unable to access interface: Permission denied', 'rc=1', ''].join('\n'),
    );
  });

  it('applies files: setconf replaces, addconf adds, syncconf removes the peers a file leaves out', async () => {
    const peer = (pub: string, ip: string) => `[Peer]\nPublicKey = ${pub}\nAllowedIPs = ${ip}\n`;
    const out = await sh(
      [
        SET,
        `printf '[Interface]\nListenPort = 5555\nPrivateKey = ${A_KEY}\n\n${peer(B_PUB, '10.0.0.2')}' > one.conf`,
        `printf '${peer(A_PUB.replace('1sEK', '2sEK'), '10.0.0.3')}' > more.conf`,
        'wg setconf wgT one.conf; wg show wgT peers; wg show wgT listen-port',
        'wg addconf wgT more.conf; wg show wgT peers | wc -l',
        'wg syncconf wgT one.conf; wg show wgT peers',
        `printf '[Interface]\nAddress = 10.0.0.1/24\n' > quick.conf; wg setconf wgT quick.conf; echo rc=$?`,
      ].join('\n'),
    );
    expect(out).toBe(`${B_PUB}\n5555\n2\n${B_PUB}\nLine unrecognized: \`Address=10.0.0.1/24'\nConfiguration parsing error\nrc=1\n`);
  });

  it("colours as wg's terminal.c does when asked (WG_COLOR_MODE=always)", async () => {
    const out = await sh(`${SET}\nWG_COLOR_MODE=always wg show wgT | head -2`);
    expect(out).toBe(`\x1b[0m\x1b[32m\x1b[1minterface\x1b[0m: \x1b[32mwgT\x1b[0m\n  \x1b[1mpublic key\x1b[0m: ${A_PUB}\n`);
  });

  it('makes keys: genkey is clamped, pubkey matches the reference, genpsk is 32 bytes', async () => {
    const out = await sh(`echo ${A_KEY} | wg pubkey\nwg genkey | wg pubkey | wc -c\nwg genpsk | wc -c\necho garbage | wg pubkey; echo rc=$?`);
    expect(out).toBe(`${A_PUB}\n45\n45\nwg: Key is not the correct length or format\nrc=1\n`);
  });

  it('shows a live tunnel: handshake age and transfer in wg\'s units', async () => {
    const out = await sh('wg-quick up wg0 2>/dev/null; ping -c 2 10.7.0.1 > /dev/null; sleep 65; wg show wg0 | tail -3');
    // Received: the response and two echo replies (92 + 2 x 128). Sent: the initiation, the
    // keepalive that confirms the session, two echo requests, the passive keepalive 10 s after the
    // last reply, and two persistent keepalives (every 25 s).
    expect(out).toBe('  latest handshake: 1 minute, 6 seconds ago\n  transfer: 348 B received, 532 B sent\n  persistent keepalive: every 25 seconds\n');
  });
});

describe('wg-quick', () => {
  it('with AllowedIPs = 0.0.0.0/0: two halves of the address space and a host route to the endpoint, undone by down', async () => {
    const conf = (await fs.promises.readFile(fileURLToPath(new URL('../../../fixtures/worlds/keys/wg0-haiku.conf', import.meta.url)), 'utf8'))
      .replace('AllowedIPs = 10.7.0.0/24, 10.10.0.0/24', 'AllowedIPs = 0.0.0.0/0, ::/0')
      .replace('Address = 10.7.0.2/24', 'Address = 10.7.0.2/24, fd00:7::2/64\nDNS = 10.7.0.1, lan\nPostUp = echo up %i\nPostDown = echo down %i');
    const out = await sh(`cat > /etc/wireguard/full.conf <<'EOF'\n${conf}EOF\nchmod 600 /etc/wireguard/full.conf\nwg-quick up full\nroute\ncat /etc/resolv.conf\nping -c 1 10.10.0.10 | tail -2\nwg-quick down full; echo rc=$?\nroute | grep -c full; ls /etc/resolv.conf`);
    expect(out).toContain(
      [
        '[#] wireguard-go full',
        '[#] wg setconf full /tmp/wg-quick.',
      ].join('\n'),
    );
    expect(out).toContain(
      [
        '[#] ip -4 address add 10.7.0.2/24 dev full',
        '[#] ip link set mtu 1420 up dev full',
        "[#] printf 'nameserver %s\\n' 10.7.0.1 && printf 'search %s\\n' 'lan' > /etc/resolv.conf",
        '[#] ip -4 route add 0.0.0.0/1 dev full',
        '[#] ip -4 route add 128.0.0.0/1 dev full',
        '[#] ip -4 route add 64.233.160.1/32 via 192.168.1.1',
        '[!] tunlab has no IPv6: fd00:7::2/64, ::/0 left out',
        '[#] echo up full',
        'up full',
      ].join('\n'),
    );
    expect(out).toMatch(/ {7}0\.0\.0\.0 {7}128\.0\.0\.0 +- -{6} full\n +128\.0\.0\.0 +128\.0\.0\.0 +- -{6} full\n/);
    expect(out).toMatch(/64\.233\.160\.1 +- +192\.168\.1\.1 /);
    expect(out).toContain('nameserver 10.7.0.1\nsearch lan\n');
    // Everything, the intranet included, goes through the tunnel; the tunnel itself does not.
    expect(out).toContain('1 packets transmitted, 1 packets received, 0.0% packet loss');
    expect(out).toContain(['[#] ip -4 route delete 64.233.160.1/32', '[#] ip link delete dev full', '[#] rm /etc/resolv.conf', '[#] echo down full', 'down full', 'rc=0', '0'].join('\n'));
    expect(out).toMatch(/ls: cannot access '\/etc\/resolv\.conf': No such file or directory\n$/);
  });

  it("refuses a bad MTU with ip's words, and takes the interface down again", async () => {
    const out = await sh(
      ['abc', '99999', '10']
        .map((m, i) => `printf '[Interface]\\nPrivateKey = ${A_KEY}\\nMTU = ${m}\\n' > /tmp/m${i}.conf; chmod 600 /tmp/m${i}.conf; wg-quick up /tmp/m${i}.conf >/tmp/o 2>&1; r=$?; grep -v '^\\[#\\] \\(wireguard-go\\|wg setconf\\)' /tmp/o; echo rc=$r`)
        .join('\n'),
    );
    expect(out).toBe(
      [
        ['abc', 'Error: argument "abc" is wrong: Invalid "mtu" value', 255],
        ['99999', 'Error: mtu greater than device maximum.', 2],
        ['10', 'Error: mtu less than device minimum.', 2],
      ]
        .map(([m, err, rc], i) => `[#] ip link set mtu ${m} up dev m${i}\n${err}\n[#] ip link delete dev m${i}\nrc=${rc}\n`)
        .join(''),
    );
  });

  it('refuses a Table it cannot use before applying anything, and undoes everything when a step fails', async () => {
    const base = await fs.promises.readFile(fileURLToPath(new URL('../../../fixtures/worlds/keys/wg0-haiku.conf', import.meta.url)), 'utf8');
    const full = base.replace('AllowedIPs = 10.7.0.0/24, 10.10.0.0/24', 'AllowedIPs = 0.0.0.0/0').replace('Address = 10.7.0.2/24', 'Address = 10.7.0.2/24\nDNS = 10.7.0.1');
    const check = 'echo rc=$?; ls /var/run/wireguard 2>/dev/null | grep -c resolv; cat /etc/resolv.conf; route | grep -c "t1\\|64.233.160.1"';
    const out = await sh(
      [
        'echo nameserver 192.168.1.1 > /etc/resolv.conf',
        `cat > /etc/wireguard/t1.conf <<'EOF'\n${full.replace('DNS = 10.7.0.1', 'DNS = 10.7.0.1\nTable = 1234')}EOF`,
        'chmod 600 /etc/wireguard/t1.conf; wg-quick up t1 2>&1 | grep -v "^\\[#\\]"',
        check,
        `cat > /etc/wireguard/t1.conf <<'EOF'\n${full.replace('DNS = 10.7.0.1', 'DNS = 10.7.0.1\nPostUp = false')}EOF`,
        'wg-quick up t1 >/tmp/o 2>&1; r=$?; sed -n "/PostUp\\|false/,$ p" /tmp/o; (exit $r)',
        check,
      ].join('\n'),
    );
    expect(out).toBe(
      [
        'wg-quick: tunlab has one routing table: Table = 1234 cannot be used',
        'rc=0',
        '0',
        'nameserver 192.168.1.1',
        '0',
        '[#] false',
        '[#] ip -4 route delete 64.233.160.1/32',
        '[#] ip link delete dev t1',
        '[#] mv /var/run/wireguard/t1.resolv.conf /etc/resolv.conf',
        'rc=1',
        '0',
        'nameserver 192.168.1.1',
        '0',
        '',
      ].join('\n'),
    );
  });

  it("stops with wg-quick's words where the real script dies", async () => {
    const out = await sh(
      [
        'wg-quick up nope; echo rc=$?',
        'wg-quick up /tmp/bad-name!.conf; echo rc=$?',
        'touch /tmp/x.txt; wg-quick up /tmp/x.txt; echo rc=$?',
        'wg-quick down wg0; echo rc=$?',
        'wg-quick up wg0 2>/dev/null; wg-quick up wg0; echo rc=$?',
        'wg-quick; echo rc=$?',
      ].join('\n'),
    );
    expect(out).toContain("wg-quick: `/etc/wireguard/nope.conf' does not exist\nrc=1\n");
    expect(out).toContain("wg-quick: `/tmp/bad-name!.conf' does not exist\nrc=1\n");
    expect(out).toContain('wg-quick: The config file must be a valid interface name, followed by .conf\nrc=1\n');
    expect(out).toContain("wg-quick: `wg0' is not a WireGuard interface\nrc=1\n");
    expect(out).toContain("wg-quick: `wg0' already exists\nrc=1\n");
    expect(out).toMatch(/Usage: wg-quick \[ up \| down \| save \| strip \] \[ CONFIG_FILE \| INTERFACE \]\n[\s\S]*See wg-quick\(8\) for more info and examples\.\nrc=1\n$/);
  });

  it('warns about a world-readable file, and strips its own keys for wg', async () => {
    const out = await sh('cp /etc/wireguard/wg0.conf /tmp/wg1.conf; chmod 644 /tmp/wg1.conf; wg-quick strip /tmp/wg1.conf');
    expect(out).toMatch(/^Warning: `\/tmp\/wg1\.conf' is world accessible\n/);
    expect(out).not.toContain('Address');
    expect(out).toContain('[Interface]\nPrivateKey = ');
  });
});
