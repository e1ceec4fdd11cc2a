// Packet identities, carried with the bytes: a tag kept beside each packet buffer (a WeakMap keyed
// by its ArrayBuffer, so a view, a subarray or a later header written into the same buffer is the
// same packet, and the tag goes when the buffer does). Where the kernel copies a packet or builds a
// new one around it, it carries the tag over; a packet first seen without one gets a new identity.
//
// Encapsulation is derived from what a task does, not from the program: each task keeps two FIFOs,
// the packets it read from a tun/tap fd and the datagrams it received on a socket, not yet passed
// on. A datagram the task sends carries the oldest packet it read from a tun (a VPN's encryption,
// however long it takes or however many it batches); a packet it writes to a tun comes out of the
// oldest datagram it received that carried one, and continues that packet's journey. A datagram
// sent while no tun packet waits carries nothing (a keepalive). Two FIFOs, not one, so a
// program that only sends and receives on sockets (ping, a UDP client) never links a request to
// the last reply. A program that throws a datagram away (a replay, a bad HMAC) says so with
// journey_drop().
//
// Encapsulation adds bytes and never takes any away, so a datagram carries a packet only if it is
// at least as long. That tells a tunnel's data from its keepalives (WireGuard's is 32 bytes, a
// type 4 message with nothing in it; OpenVPN's ping is a data packet around 16 bytes of magic), as
// a data datagram is always the longer (WireGuard: 32 bytes more, and padding; OpenVPN: opcode,
// packet id, HMAC or AEAD tag, IV and padding). Length cannot tell a handshake from data:
// WireGuard's initiation (type 1, 148 bytes), response (type 2, 92) and cookie reply (type 3, 64),
// and OpenVPN's TLS control packets, are longer than a ping. What tells them apart is what follows:
// the peer's program answers a handshake, where a carrier ends in a packet out of the peer's tun.
// - A task that sends a datagram carrying nothing is done with the datagrams it received before:
//   it answered them (a handshake response) or kept them (a keepalive), so a packet it writes to a
//   tun later comes out of a datagram received after. If one of them had taken a packet, the
//   datagram sent is its answer (`cause`).
// - A task that receives the answer to a datagram it sent takes back the packet that datagram had
//   taken: no tun sees it come out of a handshake, and the next datagram long enough carries it
//   (the transport message after the handshake). Both datagrams name the packet as their inner;
//   the later claim is the one that holds (the views read it so).
// So a handshake initiation sent because a packet waits is a journey of its own (answered by the
// response), and the packet's journey goes through the transport message. A peer outside the world
// (a real one through the uplink) answers with no identity: there the handshake stays the carrier.
//
// Nothing here runs unless someone records or captures: callers check `active` first.

/** What a packet's bytes carry along. */
export interface PacketTag {
  readonly id: number;
  /** The packet this one carries (a tunnel's datagram). */
  readonly inner?: number;
  /** The datagram this one came out of (a packet a VPN wrote to its tun). */
  readonly outer?: number;
  /** The packet this one answers (an echo reply, an ICMP error). */
  readonly cause?: number;
}

/** Packets a task read and has not passed on yet, per direction; bounded, oldest forgotten first. */
interface Pending {
  readonly fromTun: Uint8Array[];
  fromSocket: Uint8Array[];
  /** The datagrams it sent that took a packet, until an answer to one gives the packet back. */
  readonly carried: Array<{ id: number; packet: Uint8Array }>;
}

/** How many unforwarded packets a task is remembered to hold, per direction. */
export const PENDING_MAX = 64;

export class PacketJourneys {
  private readonly tags = new WeakMap<ArrayBufferLike, PacketTag>();
  private readonly pending = new WeakMap<object, Pending>();
  private next = 1;
  private wanted = 0;

  constructor(private readonly recording: () => boolean) {}

  /** Whether packets get identities now: someone records them, or a capture asks for them. */
  get active(): boolean {
    return this.wanted > 0 || this.recording();
  }

  /** Ask for identities while no recording runs (a capture writing them as comments); undo with the result. */
  want(): () => void {
    this.wanted++;
    let done = false;
    return () => {
      if (!done) this.wanted--;
      done = true;
    };
  }

  /** The tag of a packet, a new identity when it has none yet. */
  tag(bytes: Uint8Array): PacketTag {
    let t = this.tags.get(bytes.buffer);
    if (!t) this.tags.set(bytes.buffer, (t = { id: this.next++ }));
    return t;
  }

  /** The identity of a packet, 0 when it has none. */
  idOf(bytes: Uint8Array): number {
    return this.tags.get(bytes.buffer)?.id ?? 0;
  }

  /** `to` is the packet `from` is (a copy of it, or it with a header added or taken off). */
  carry(from: Uint8Array, to: Uint8Array): PacketTag {
    const t = this.tag(from);
    if (to.buffer !== from.buffer) this.tags.set(to.buffer, t);
    return t;
  }

  /** `made` is a new packet, made because of `cause` (an echo reply, an ICMP error about it). */
  answer(cause: Uint8Array, made: Uint8Array): PacketTag {
    return this.label(made, { id: this.next++, cause: this.tag(cause).id });
  }

  /** A new packet, made by a program: its own identity. */
  fresh(bytes: Uint8Array): PacketTag {
    return this.label(bytes, { id: this.next++ });
  }

  private label(bytes: Uint8Array, t: PacketTag): PacketTag {
    this.tags.set(bytes.buffer, t);
    return t;
  }

  private of(task: object): Pending {
    let p = this.pending.get(task);
    if (!p) this.pending.set(task, (p = { fromTun: [], fromSocket: [], carried: [] }));
    return p;
  }

  private static push<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > PENDING_MAX) list.shift();
  }

  /** A task read this packet from a tun/tap fd. */
  readFromTun(task: object, bytes: Uint8Array): PacketTag {
    PacketJourneys.push(this.of(task).fromTun, bytes);
    return this.tag(bytes);
  }

  /**
   * A task received this datagram on a socket. The answer to a datagram it sent that took a packet
   * (a handshake response) gives that packet back to wait for its real carrier, and is no carrier.
   */
  readFromSocket(task: object, bytes: Uint8Array): PacketTag {
    const t = this.tag(bytes);
    const p = this.of(task);
    const answered = t.cause === undefined ? -1 : p.carried.findIndex((c) => c.id === t.cause);
    if (answered >= 0) p.fromTun.unshift(p.carried.splice(answered, 1)[0]!.packet);
    else PacketJourneys.push(p.fromSocket, bytes);
    return t;
  }

  /**
   * A task sends this datagram (the kernel's copy of it): it carries the oldest packet read from a
   * tun, if that fits in it. Carrying nothing, it ends the datagrams received before it, and answers
   * the first of them that had taken a packet.
   */
  sending(task: object, bytes: Uint8Array): PacketTag {
    const p = this.pending.get(task);
    if (!p) return this.fresh(bytes);
    const waiting = p.fromTun;
    if (waiting.length > 0 && waiting[0]!.length <= bytes.length) {
      const inner = waiting.shift()!;
      const t = this.label(bytes, { id: this.next++, inner: this.tag(inner).id });
      PacketJourneys.push(p.carried, { id: t.id, packet: inner });
      return t;
    }
    const asked = p.fromSocket.find((d) => this.tags.get(d.buffer)?.inner !== undefined);
    p.fromSocket = [];
    return this.label(bytes, asked ? { id: this.next++, cause: this.tag(asked).id } : { id: this.next++ });
  }

  /**
   * A task writes this packet to a tun/tap fd (the kernel's copy): it came out of a datagram the
   * task received, and goes on as the packet that datagram carried, if any. With no datagram
   * received but a packet read from a tun, it answers that packet.
   */
  writingToTun(task: object, bytes: Uint8Array): PacketTag {
    const waiting = this.pending.get(task)?.fromSocket ?? [];
    // The oldest datagram that carried a packet (or, from a peer outside the world whose datagrams
    // carry no identity, the oldest long enough): those before it ended in the program (its
    // keepalives, the control messages it kept, those too short), and are forgotten.
    const fits = (d: Uint8Array) => d.length >= bytes.length;
    let at = waiting.findIndex((d) => fits(d) && this.tags.get(d.buffer)?.inner !== undefined);
    if (at < 0) at = waiting.findIndex(fits);
    const received = waiting.splice(0, at < 0 ? waiting.length : at + 1)[at];
    if (!received) {
      // Read from a tun, written back to one, no datagram between: an answer (a ping-reply program).
      const asked = this.pending.get(task)?.fromTun.shift();
      return asked ? this.answer(asked, bytes) : this.fresh(bytes);
    }
    const outer = this.tag(received);
    return this.label(bytes, { id: outer.inner ?? this.next++, outer: outer.id });
  }

  /** The task dropped the datagram it received last (journey_drop): its bytes, no longer pending. */
  droppedBy(task: object): Uint8Array | undefined {
    return this.pending.get(task)?.fromSocket.pop();
  }
}
