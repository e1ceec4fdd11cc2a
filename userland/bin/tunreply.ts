// tunreply: the seed's ping-reply program. It stands at the far end of a tun or tap: it reads what
// the stack sends into the device, answers ICMP echo requests (and, on a tap, the ARP requests
// that come first), and writes the answers back into the device for the stack to receive.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_RDWR } from '../../kernel/abi/fcntl.js';
import type { Ifreq } from '../../kernel/abi/if.js';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, TUNGETIFF, TUNSETIFF } from '../../kernel/abi/ioctl.js';
import {
  ArpPacket,
  ArpRepr,
  buildArpPacket,
  buildEthernetFrame,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  EthernetFrame,
  formatIpv4,
  IcmpPacket,
  IcmpRepr,
  IPPROTO_ICMP,
  Ipv4Packet,
  isWireError,
  parseMac,
} from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import { SIGINT, SIGTERM } from '../../kernel/abi/signal.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, intArg, parse } from '../lib/cli.js';
import { eprint, print } from '../lib/io.js';

interface Options {
  create?: string;
  tap?: boolean;
  count?: number;
  verbose?: boolean;
  mac: string;
}

/** A device tunreply cannot answer on (one that frames packets with a packet-info header). */
class UnsuitableDevice extends Error {}

export default defineProgram({
  name: 'tunreply',
  summary: 'answer ICMP echo requests from the far end of a tun or tap',
  main: guarded('tunreply', async (argv, sys) => {
    const cmd = command('tunreply', 'answer ICMP echo requests (and ARP, on a tap) read from a tun or tap device')
      .argument('[device]', 'device to open: /dev/tun/N or /dev/tap/N (attaches to that interface)')
      .option('-c, --create <name>', 'create the interface through /dev/misc/tun instead (e.g. tun/%d)')
      .option('-t, --tap', 'with --create: make a TAP interface')
      .option('-n, --count <n>', 'exit after answering n echo requests', intArg('count', 1, 1e9))
      .option('-v, --verbose', 'print every packet handled')
      .option('--mac <address>', 'on a tap: the MAC address the far end answers with', '02:00:00:00:00:01');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const opts = r.opts;
    const device = r.args[0];
    if ((device === undefined) === (opts.create === undefined)) {
      await eprint(sys, 'tunreply: give a device to open, or --create NAME\n');
      return 2;
    }
    const mac = parseMac(opts.mac);
    if (mac === null) {
      await eprint(sys, `tunreply: invalid MAC address ${opts.mac}\n`);
      return 2;
    }
    let fd: number;
    let tap: boolean;
    let name: string;
    try {
      if (opts.create !== undefined) {
        fd = await sys.open('/dev/misc/tun', O_RDWR);
        const ifr: Ifreq = { ifr_name: opts.create, ifr_flags: (opts.tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI };
        await sys.ioctl(fd, TUNSETIFF, ifr);
        name = ifr.ifr_name;
      } else {
        fd = await sys.open(device!, O_RDWR);
        const ifr: Ifreq = { ifr_name: '' };
        await sys.ioctl(fd, TUNGETIFF, ifr);
        name = ifr.ifr_name;
        if (!((ifr.ifr_flags ?? 0) & IFF_NO_PI)) throw new UnsuitableDevice('device has a packet-info header');
      }
      const ifr: Ifreq = { ifr_name: '' };
      await sys.ioctl(fd, TUNGETIFF, ifr);
      tap = ((ifr.ifr_flags ?? 0) & IFF_TAP) !== 0;
    } catch (e) {
      if (!isSysError(e) && !(e instanceof UnsuitableDevice)) throw e;
      await eprint(sys, `tunreply: ${device ?? '/dev/misc/tun'}: ${e.message}\n`);
      return 1;
    }
    await print(sys, `tunreply: answering on ${name} (${tap ? 'tap' : 'tun'})\n`);
    return new Replier(sys, fd, tap, mac, opts).run();
  }),
});

class Replier {
  private answered = 0;
  private stop = false;

  constructor(
    private readonly sys: Sys,
    private readonly fd: number,
    private readonly tap: boolean,
    private readonly mac: number,
    private readonly opts: Options,
  ) {}

  async run(): Promise<number> {
    const sys = this.sys;
    const quit = () => {
      this.stop = true;
    };
    await sys.sigaction(SIGINT, quit);
    await sys.sigaction(SIGTERM, quit);
    while (!this.stop && (this.opts.count === undefined || this.answered < this.opts.count)) {
      let data: Uint8Array;
      try {
        data = await sys.read(this.fd, 65536);
      } catch (e) {
        if (isSysError(e, 'EINTR')) continue;
        if (!isSysError(e)) throw e;
        await eprint(sys, `tunreply: read: ${e.message}\n`);
        return 1;
      }
      const answer = this.tap ? this.onFrame(data) : this.onPacket(data);
      if (!answer) continue;
      await sys.write(this.fd, answer.bytes);
      await this.note(answer.note);
    }
    await print(sys, `tunreply: ${this.answered} echo request${this.answered === 1 ? '' : 's'} answered\n`);
    return 0;
  }

  private async note(text: string): Promise<void> {
    if (this.opts.verbose) await print(this.sys, `${text}\n`);
  }

  /** An IP packet: an echo request becomes its reply. */
  private onPacket(data: Uint8Array): { bytes: Uint8Array; note: string } | null {
    const ip = Ipv4Packet.checked(data);
    if (isWireError(ip) || ip.protocol !== IPPROTO_ICMP) return null;
    const icmp = IcmpPacket.checked(ip.payload);
    if (isWireError(icmp)) return null;
    const repr = IcmpRepr.parse(icmp);
    if (isWireError(repr) || repr.kind !== 'echo-request') return null;
    const out = data.slice(0, ip.totalLen);
    const o = new Ipv4Packet(out);
    o.src = ip.dst;
    o.dst = ip.src;
    o.ttl = 64;
    o.fillChecksum();
    IcmpRepr.emit({ kind: 'echo-reply', ident: repr.ident, seq: repr.seq, data: repr.data }, new IcmpPacket(o.payload));
    this.answered++;
    return { bytes: out, note: `echo reply ${formatIpv4(ip.dst)} > ${formatIpv4(ip.src)}: icmp_seq=${repr.seq}` };
  }

  /** An Ethernet frame: ARP requests for the far end get our MAC; IP goes to onPacket. */
  private onFrame(frame: Uint8Array): { bytes: Uint8Array; note: string } | null {
    const eth = EthernetFrame.checked(frame);
    if (isWireError(eth)) return null;
    if (eth.ethertype === ETHERTYPE_ARP) {
      const arp = ArpPacket.checked(eth.payload);
      if (isWireError(arp)) return null;
      const a = ArpRepr.parse(arp);
      if (isWireError(a) || a.operation !== 1 || a.targetIp === a.senderIp) return null;
      const reply = buildArpPacket({ operation: 2, senderMac: this.mac, senderIp: a.targetIp, targetMac: a.senderMac, targetIp: a.senderIp });
      return {
        bytes: buildEthernetFrame({ dst: eth.src, src: this.mac, ethertype: ETHERTYPE_ARP }, reply),
        note: `arp reply ${formatIpv4(a.targetIp)} is-at ${this.opts.mac}`,
      };
    }
    if (eth.ethertype !== ETHERTYPE_IPV4 || eth.dst !== this.mac) return null;
    const inner = this.onPacket(eth.payload);
    if (!inner) return null;
    return { bytes: buildEthernetFrame({ dst: eth.src, src: this.mac, ethertype: ETHERTYPE_IPV4 }, inner.bytes), note: inner.note };
  }
}
