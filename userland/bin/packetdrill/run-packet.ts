// Packet events (run_packet.c): an inbound line is mapped into live sequence space and written
// into the tun; an outbound line waits for the next packet of the socket under test, joins
// consecutive packets until their payload reaches the script's length (GSO super-packets and
// MSS-sized segments both match), maps it into script space and checks it field by field.

import type { Event, ScriptPacket } from './ast.js';
import type { Config } from './config.js';
import type { Netdev } from './netdev.js';
import { aggregate, clonePkt, emitIcmpError, emitTcp, F_ACK, F_FIN, F_SYN, icmpTypeCode, packetString, parseLive, type Pkt, scriptTcpPacket, TCPOPT_SACK, tsOption, verifyHeaders, verifyOptions } from './packet.js';
import { readU32, writeU32 } from '../../../kernel/abi/wire/bytes.js';
import { localSeqScriptToLive, remoteSeqScriptToLive, type Sock } from './state.js';

export interface PacketHost {
  readonly cfg: Config;
  readonly localIp: number;
  readonly remoteIp: number;
  sut: Sock | null;
  newSock(): Sock;
  nextEphemeralPort(): Promise<number>;
  now(): Promise<number>;
  /** Sleep until the event's time, then check it (wait_for_event). */
  waitForEvent(e: Event): Promise<void>;
  verifyTime(e: Event, liveUsecs: number, description: string): string | null;
  scriptTime(liveUsecs: number): number;
  lastEventUsecs(): number;
  scriptLastUsecs(): number;
  print(s: string): Promise<void>;
}

export class PacketError extends Error {
  constructor(
    message: string,
    /** A mismatch --non_fatal=packet may let pass (checks after the packet was found). */
    readonly nonFatal = false,
  ) {
    super(message);
  }
}

const fmt = (usecs: number) => (usecs / 1e6).toFixed(6).padStart(9);

function offsetSack(p: Pkt, offset: number): void {
  for (const o of p.tcp!.options) {
    if (o.kind !== TCPOPT_SACK) continue;
    for (let i = 0; i + 4 <= o.data.length; i += 4) writeU32(o.data, i, (readU32(o.data, i) + offset) >>> 0);
  }
}

function note(p: Pkt) {
  const t = p.tcp!;
  return { seq: t.seq, ack: t.ack, window: t.window, syn: !!(t.flags & F_SYN), fin: !!(t.flags & F_FIN), ackFlag: !!(t.flags & F_ACK), payloadLen: t.payload.length };
}

export class PacketRunner {
  constructor(
    private readonly h: PacketHost,
    private readonly dev: Netdev,
  ) {}

  async run(e: Event): Promise<void> {
    const sp = e.packet!;
    if (sp.protocol === 'icmp' && sp.direction === 'inbound') {
      await this.h.waitForEvent(e);
      return this.inboundIcmp(sp);
    }
    if (sp.protocol !== 'tcp') throw new PacketError(`outbound ${sp.protocol} packets are not supported by tunlab's packetdrill`);
    const sock = await this.socketFor(sp);
    if (sp.direction === 'outbound') await this.outbound(e, sp, sock);
    else {
      await this.h.waitForEvent(e);
      await this.inbound(sp, sock);
    }
  }

  /** find_or_create_socket_for_script_packet. */
  private async socketFor(sp: ScriptPacket): Promise<Sock> {
    const h = this.h;
    const sut = h.sut;
    const script = scriptTcpPacket(sp);
    const flags = script.tcp!.flags;
    if (sp.direction === 'inbound' && (sut === null || sut.state === 'passive-listening')) {
      // handle_listen_for_script_packet: a child socket for this packet, the new socket under test.
      const s = h.newSock();
      s.state = 'passive-packet-received';
      s.protocol = 6;
      s.script.remote = { ip: 0, port: sp.srcPort };
      s.script.local = { ip: 0, port: sp.dstPort };
      s.script.remoteIsn = sp.seq;
      s.live.remote = { ip: h.remoteIp, port: await h.nextEphemeralPort() };
      s.live.local = { ip: h.localIp, port: h.cfg.bindPort };
      s.live.remoteIsn = sp.seq;
      h.sut = s;
      return s;
    }
    if (sp.direction === 'outbound' && flags & F_SYN && !(flags & F_ACK) && sut?.state === 'active-connecting') {
      sut.state = 'active-syn-sent';
      sut.script.remote = { ip: 0, port: sp.dstPort };
      sut.script.local = { ip: 0, port: sp.srcPort };
      sut.script.localIsn = sp.seq;
      return sut;
    }
    if (sut && sut.protocol === 6) return sut;
    throw new PacketError('no matching socket for script packet');
  }

  // ------------------------------------------------------------------ outbound

  private async outbound(e: Event, sp: ScriptPacket, sock: Sock): Promise<void> {
    const h = this.h;
    const script = scriptTcpPacket(sp);
    const synack = !!(script.tcp!.flags & F_SYN) && !!(script.tcp!.flags & F_ACK);
    if (sock.state === 'passive-packet-received' && synack) sock.script.localIsn = sp.seq;
    const expected = sp.payload;
    const pieces: Pkt[] = [];
    let sniffed = 0;
    do {
      const live = await this.sniff(e, sock);
      if (sock.state === 'passive-packet-received' && synack) {
        sock.state = 'passive-synack-sent';
        sock.live.localIsn = live.tcp!.seq;
      }
      if (h.cfg.verbose) await h.print(`outbound sniffed packet: ${fmt(h.scriptTime(live.timeUsecs))} ${packetString(live)}\n`);
      sock.lastOutbound = note(live);
      // tcp_convert_seq_number: live sequence space to script space.
      const t = live.tcp!;
      const syn = !!(t.flags & F_SYN);
      t.seq = (t.seq - localSeqScriptToLive(sock, syn)) >>> 0;
      const ackOffset = remoteSeqScriptToLive(sock, syn);
      if (t.flags & F_ACK) t.ack = (t.ack - ackOffset) >>> 0;
      offsetSack(live, -ackOffset);
      if (pieces.length > 0) {
        const prev = pieces[pieces.length - 1]!;
        const len = t.payload.length;
        let err = verifyHeaders(live, prev, false);
        if (!err && len < expected - sniffed && len !== prev.tcp!.payload.length) {
          err = `fragment payload: expected ${prev.tcp!.payload.length} bytes vs actual ${len} bytes; total payload: expected ${expected} bytes vs actual ${len + sniffed} bytes`;
        }
        if (err) {
          let msg = `${err}\n   script packet: ${fmt(e.usecs)} ${packetString(script)}`;
          [...pieces, live].forEach((p, i) => (msg += `\nactual #${i} packet: ${fmt(h.scriptTime(p.timeUsecs))} ${packetString(p)}`));
          throw new PacketError(msg);
        }
      }
      pieces.push(live);
      sniffed += t.payload.length;
    } while (sniffed < expected && !h.cfg.strictSegments);
    if (sniffed !== expected) throw new PacketError(`live packet payload: expected ${expected} bytes vs actual ${sniffed} bytes`);
    const live = pieces.length === 1 ? pieces[0]! : aggregate(pieces);
    this.verify(e, sock, script, live);
  }

  /** sniff_outbound_live_packet: the next packet of the socket under test, others dropped. */
  private async sniff(e: Event, sock: Sock): Promise<Pkt> {
    const h = this.h;
    const expected = e.usecs - h.scriptLastUsecs();
    const expectedEnd = e.endUsecs - h.scriptLastUsecs();
    const timeout = e.timeType === 'any' ? null : Math.trunc(Math.max(expected, expectedEnd) / 1e6 + 2);
    for (;;) {
      const got = await this.dev.receive(timeout);
      if (!got) throw new PacketError('Timed out waiting for packet');
      const p = parseLive(got.bytes, got.usecs);
      if (!p?.tcp) continue;
      const t = p.tcp;
      const l = sock.live;
      if (p.src === l.local.ip && t.srcPort === l.local.port && p.dst === l.remote.ip && t.dstPort === l.remote.port) return p;
      // find_connect_for_live_packet: the SYN of a connect() the script is waiting for.
      if (t.flags & F_SYN && !(t.flags & F_ACK) && sock.state === 'active-syn-sent' && p.dst === l.remote.ip && t.dstPort === l.remote.port) {
        l.local = { ip: p.src, port: t.srcPort };
        l.localIsn = t.seq;
        return p;
      }
    }
  }

  /** verify_outbound_live_packet. */
  private verify(e: Event, sock: Sock, script: Pkt, live: Pkt): void {
    const h = this.h;
    const actual = clonePkt(live);
    let error: string | null = null;
    let nonFatal = false;
    if (!live.ipChecksumOk) error = 'bad outbound IP checksum';
    else {
      // map_outbound_live_packet: the TS val into script space, remembering the mapping.
      const sTs = tsOption(script);
      const aTs = tsOption(actual);
      if (sTs && aTs) {
        const sVal = readU32(sTs.data, 0);
        const aVal = readU32(aTs.data, 0);
        sock.tsValMap.set(sVal, aVal);
        sock.firstTs ??= { script: sVal, actual: aVal };
        writeU32(aTs.data, 0, (sock.firstTs.script + (aVal - sock.firstTs.actual)) >>> 0);
      }
      const tol = Math.max(h.cfg.toleranceUsecs, Math.trunc((h.cfg.tolerancePercent / 100) * (e.usecs - 0)));
      error =
        verifyHeaders(actual, script, true) ??
        verifyOptions(actual, script, { tickUsecs: h.cfg.tcpTsTickUsecs, toleranceUsecs: tol }) ??
        (actual.tcp!.payload.every((b) => b === 0) ? null : 'incorrect outbound data payload') ??
        h.verifyTime(e, live.timeUsecs, 'outbound packet');
      nonFatal = error !== null;
    }
    if (error === null) return;
    throw new PacketError(
      `${error}\nscript packet: ${fmt(e.usecs)} ${packetString(script)}\nactual packet: ${fmt(h.scriptTime(live.timeUsecs))} ${packetString(actual)}`,
      nonFatal,
    );
  }

  // ------------------------------------------------------------------ inbound

  private async inbound(sp: ScriptPacket, sock: Sock): Promise<void> {
    const h = this.h;
    const p = scriptTcpPacket(sp);
    const t = p.tcp!;
    if (sock.state === 'passive-synack-sent' && t.flags & F_ACK) sock.state = 'passive-synack-acked';
    else if (sock.state === 'active-syn-sent' && t.flags & F_SYN && t.flags & F_ACK) {
      sock.state = 'active-syn-acked';
      sock.script.remoteIsn = sp.seq;
      sock.live.remoteIsn = sp.seq;
    }
    // map_inbound_packet: the live 4-tuple (ports the script gave stay), sequence numbers, TS ecr.
    p.src = sock.live.remote.ip;
    p.dst = sock.live.local.ip;
    if (!t.srcPort) t.srcPort = sock.live.remote.port;
    if (!t.dstPort) t.dstPort = sock.live.local.port;
    const syn = !!(t.flags & F_SYN);
    t.seq = (t.seq + remoteSeqScriptToLive(sock, syn)) >>> 0;
    const ackOffset = localSeqScriptToLive(sock, syn);
    if (t.flags & F_ACK) t.ack = (t.ack + ackOffset) >>> 0;
    offsetSack(p, ackOffset);
    const ts = tsOption(p);
    if (t.flags & F_ACK && ts) {
      const ecr = readU32(ts.data, 4);
      const mapped = sock.tsValMap.get(ecr);
      if (mapped !== undefined) writeU32(ts.data, 4, mapped);
      else if (h.cfg.tcpTsEcrScaled && sock.firstTs) writeU32(ts.data, 4, (ecr - sock.firstTs.script + sock.firstTs.actual) >>> 0);
      else throw new PacketError(`unable to infer live TS ecr for script TS ecr ${ecr};  no matching or preceding outbound TS val`);
    }
    if (h.cfg.verbose) await h.print(`inbound injected packet: ${fmt(h.scriptTime(await h.now()))} ${packetString(p)}\n`);
    sock.lastInjected = note(p);
    await this.dev.send(emitTcp(p));
  }

  /**
   * An ICMP error for the socket under test (map_inbound_icmp_tcp_packet): from the remote host,
   * quoting a segment the local end sent, its sequence number moved into live space.
   */
  private async inboundIcmp(sp: ScriptPacket): Promise<void> {
    const sock = this.h.sut;
    if (!sock) throw new PacketError('no matching socket for script packet');
    const tc = icmpTypeCode(sp.icmpType!, sp.icmpCode);
    if (typeof tc === 'string') throw new PacketError(tc);
    const echoed = sp.echoed ?? { protocol: 'tcp' as const, seq: 0, payload: 0 };
    await this.dev.send(
      emitIcmpError({
        src: sock.live.remote.ip,
        dst: sock.live.local.ip,
        ttl: sp.ip.ttl || 255,
        tos: sp.ip.tos,
        ...tc,
        mtu: sp.icmpMtu ?? -1,
        quotedSrc: sock.live.local.ip,
        quotedDst: sock.live.remote.ip,
        srcPort: sock.live.local.port,
        dstPort: sock.live.remote.port,
        seq: (echoed.seq + localSeqScriptToLive(sock, false)) >>> 0,
        payload: echoed.payload,
      }),
    );
  }

  /** reset_connection: a RST the kernel will accept, so the connection stops retransmitting. */
  async reset(sock: Sock): Promise<void> {
    let seq: number;
    let ack: number;
    let window = 0;
    const inj = sock.lastInjected;
    const out = sock.lastOutbound;
    if (inj?.ackFlag) {
      seq = (inj.seq + (inj.syn ? 1 : 0) + (inj.fin ? 1 : 0) + inj.payloadLen) >>> 0;
      ack = inj.ack;
      window = inj.window;
    } else if (out?.ackFlag) {
      seq = out.ack;
      ack = out.seq;
    } else {
      seq = 0;
      ack = ((out?.seq ?? 0) + 1) >>> 0;
    }
    const p = scriptTcpPacket({ direction: 'inbound', ip: { tosCheck: 'none', tos: 0, ttl: 0 }, srcPort: sock.live.remote.port, dstPort: sock.live.local.port, protocol: 'tcp', flags: 'R.', seq, payload: 0, ack, win: window, urg: 0, options: [] });
    p.src = sock.live.remote.ip;
    p.dst = sock.live.local.ip;
    await this.dev.send(emitTcp(p));
  }
}

