// Which datagram carries a ping through a VPN, as the kernel derives it (kernel/obs/journey.ts), in
// the default world: through OpenVPN in TLS mode, where the handshake's control packets (longer
// than a ping, some kept by the server unanswered) are journeys of their own and the ping goes in
// a data packet both ways. WireGuard's handshake is the golden journey-wg-handshake.

import { expect, it } from 'vitest';
import { shellRun } from '../../helpers/session.js';

it('OpenVPN TLS: the control packets carry nothing, the ping and its reply go in data packets', async () => {
  const r = await shellRun(
    "journey -f 'layer syscall or layer driver' sh -c 'openvpn --config /etc/openvpn/tls-client.ovpn > /tmp/vpn.log & sleep 2; ping -c 1 10.10.0.10; kill %1'",
  );
  expect(r.out).toContain('1 packets transmitted, 1 packets received');
  const heads = r.out.split('\n').filter((l) => /^\s*#\d+ /.test(l));
  const control = heads.filter((l) => /^#\d+ IP \S+ > \S+: UDP, length \d+$/.test(l));
  // The TLS handshake, tls-crypt wrapped, both ways: a dozen or more datagrams, none nested in a packet.
  expect(control.length).toBeGreaterThanOrEqual(10);
  expect(control.some((l) => l.includes('.1195 > ')) && control.some((l) => l.includes(' > 64.233.160.1.1195:'))).toBe(true);
  const request = heads.findIndex((l) => l.includes('ICMP echo request'));
  const reply = heads.findIndex((l) => l.includes('ICMP echo reply'));
  const requestId = /^#(\d+)/.exec(heads[request]!)![1];
  // Each is carried by one data packet (the ping's 84 bytes and P_DATA_V2's 24 more), nested in its journey;
  // the request goes on out of the server's tun as itself, so the reply answers it.
  expect(heads[request + 1]).toMatch(new RegExp(`^ {6}#\\d+ carries #${requestId}: IP 192\\.168\\.1\\.10\\.\\d+ > 64\\.233\\.160\\.1\\.1195: UDP, length 108$`));
  expect(heads[reply]).toMatch(new RegExp(`ICMP echo reply, id \\d+, seq 0, length 64 \\(answers #${requestId}\\)$`));
  expect(heads[reply + 1]).toMatch(/^ {6}#\d+ carries #\d+: IP 64\.233\.160\.1\.1195 > 192\.168\.1\.10\.\d+: UDP, length 108$/);
  expect(heads.filter((l) => l.includes('out of #'))).toEqual([]);
});
