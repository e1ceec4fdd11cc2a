// The uplink's gateway is a stack of its own (kernel/world/uplink-link.ts): ARP, echo replies, TTL
// expiry, reassembly and ICMP errors are its stack's code, and its counters move. In virtual time:
// the NAT behind it sends nothing real then (it refuses, as the uplink does in virtual time), but
// everything before the NAT is the same.

import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../../bin/session.js';
import { run } from '../../helpers/world.js';

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

async function session(): Promise<Session> {
  const s = await Session.create({ clock: 'virtual' });
  sessions.push(s);
  return s;
}

describe('the uplink gateway', () => {
  it('answers ARP and ping for 10.0.2.2 from its own stack', async () => {
    const s = await session();
    const r = await run(s.world, 'haiku', ['ping', '-c', '2', '10.0.2.2']);
    expect(r.out).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
    const gw = s.built.uplink!.stack;
    const nic = gw.byName('eth0')!;
    // The guest asked who has 10.0.2.2 once; the gateway learnt the guest from that request.
    expect(gw.arp(nic)!.repliesSent).toBe(1);
    expect(gw.arp(nic)!.requestsSent).toBe(0);
    const { icmp, ip } = gw.ipStats();
    expect({ InEchos: icmp.InEchos, OutEchoReps: icmp.OutEchoReps, InDelivers: ip.InDelivers }).toEqual({ InEchos: 2, OutEchoReps: 2, InDelivers: 2 });
    expect(nic.counters.rxPackets).toBe(3);
    expect(nic.counters.txPackets).toBe(3);
  });

  it('reassembles a fragmented datagram before the NAT sees it', async () => {
    const s = await session();
    const r = await run(s.world, 'haiku', ['udpclient', '-w', '1', '10.0.2.2', '9', 'x'.repeat(3000)]);
    // In virtual time the NAT refuses, once, for the whole datagram, with the stack's ICMP.
    expect(r.out).toContain('udpclient: recv: No route to host');
    const up = s.built.uplink!;
    expect(up.refused).toBe(1);
    const { ip, icmp } = up.stack.ipStats();
    expect({ ReasmReqds: ip.ReasmReqds, ReasmOKs: ip.ReasmOKs, OutDestUnreachs: icmp.OutDestUnreachs }).toEqual({ ReasmReqds: 3, ReasmOKs: 1, OutDestUnreachs: 1 });
    expect(s.host.log.snapshot().join('\n')).toContain('uplink: refused UDP to 10.0.2.2:9: the uplink is off in virtual time (run with --clock real)');
  });

  it('reassembles fragments it forwards out of the uplink link: the NAT gets one datagram', async () => {
    const s = await session();
    const r = await run(s.world, 'haiku', ['sh', '-c', 'route add /dev/net/virtio/0 192.0.2.0 netmask 255.255.255.0 gw 10.0.2.2 && udpclient -w 1 192.0.2.7 53 ' + 'y'.repeat(3000)]);
    expect(r.out).toContain('udpclient: recv: No route to host');
    const up = s.built.uplink!;
    expect(up.refused).toBe(1);
    const { ip } = up.stack.ipStats();
    expect({ ReasmOKs: ip.ReasmOKs, ForwDatagrams: ip.ForwDatagrams }).toEqual({ ReasmOKs: 1, ForwDatagrams: 1 });
    expect(up.gw.uplink.counters.txPackets).toBe(1);
  });

  it('answers TTL 1 towards the outside with time exceeded from 10.0.2.2, and sends nothing on', async () => {
    const s = await session();
    const r = await run(s.world, 'haiku', ['sh', '-c', 'route add /dev/net/virtio/0 192.0.2.0 netmask 255.255.255.0 gw 10.0.2.2 && ping -c 1 -t 1 -W 500 192.0.2.7']);
    expect(r.out).toContain('36 bytes from 10.0.2.2: Time to live exceeded\n');
    const up = s.built.uplink!;
    const { ip, icmp } = up.stack.ipStats();
    expect({ InHdrErrors: ip.InHdrErrors, OutTimeExcds: icmp.OutTimeExcds, ForwDatagrams: ip.ForwDatagrams }).toEqual({ InHdrErrors: 1, OutTimeExcds: 1, ForwDatagrams: 0 });
    expect(up.gw.uplink.counters.txPackets).toBe(0);
  });

  it('forwards a ping to the outside to its uplink link, where the NAT drops and counts it (it carries UDP and TCP)', async () => {
    const s = await session();
    const r = await run(s.world, 'haiku', ['sh', '-c', 'route add /dev/net/virtio/0 192.0.2.0 netmask 255.255.255.0 gw 10.0.2.2 && ping -c 1 -W 500 192.0.2.7']);
    expect(r.out).toContain('1 packets transmitted, 0 packets received');
    const up = s.built.uplink!;
    expect({ forwarded: up.stack.ipStats().ip.ForwDatagrams, unsupported: up.unsupported, sent: up.sent }).toEqual({ forwarded: 1, unsupported: 1, sent: 0 });
  });

  it('answers ARP only for its own address, as Linux and slirp do', async () => {
    const s = await session();
    // 10.0.2.3 is on the guest's link but nobody's: the guest's resolution fails.
    const r = await run(s.world, 'haiku', ['ping', '-c', '1', '-W', '500', '10.0.2.3']);
    expect(r.out).toContain('1 packets transmitted, 0 packets received');
    const gw = s.built.uplink!.stack;
    expect(gw.arp(gw.byName('eth0')!)!.repliesSent).toBe(0);
  });
});
