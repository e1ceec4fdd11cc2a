// Packet identities, carried with the bytes: a tag kept beside each packet buffer (a WeakMap keyed
// by its ArrayBuffer, so a view, a subarray or a later header written into the same buffer is the
// same packet, and the tag goes when the buffer does). Where the kernel copies a packet or builds a
// new one around it, it carries the tag over; a packet first seen without one gets a new identity.
//
// Encapsulation is derived from what a task does, not from the program: each task keeps two FIFOs,
// the packets it read from a tun/tap fd and the datagrams it received on a socket, not yet passed
// on. A datagram the task sends carries the oldest packet it read from a tun (a VPN's encryption,
// however long it takes or however many it batches); a packet it writes to a tun comes out of the
// oldest datagram it received, and continues the journey of the packet that datagram carried. A
// datagram sent while no tun packet waits carries nothing (a keepalive). Two FIFOs, not one, so a
// program that only sends and receives on sockets (ping, a UDP client) never links a request to
// the last reply. Encapsulation adds bytes and never takes any away, so a datagram carries a packet
// only if it is at least as long: a keepalive sent while a packet waits carries nothing, and the
// short datagrams a VPN received and kept for itself (its pings, its control messages) are passed
// over when it writes a packet, and forgotten. What the kernel cannot tell apart it gets wrong: a
// handshake message longer than the packet waiting to be encrypted is taken as its carrier. A
// program that throws a datagram away (a replay, a bad HMAC) says so with journey_drop().
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
  readonly fromSocket: Uint8Array[];
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
    if (!p) this.pending.set(task, (p = { fromTun: [], fromSocket: [] }));
    return p;
  }

  private static push(list: Uint8Array[], bytes: Uint8Array): void {
    list.push(bytes);
    if (list.length > PENDING_MAX) list.shift();
  }

  /** A task read this packet from a tun/tap fd. */
  readFromTun(task: object, bytes: Uint8Array): PacketTag {
    PacketJourneys.push(this.of(task).fromTun, bytes);
    return this.tag(bytes);
  }

  /** A task received this datagram on a socket. */
  readFromSocket(task: object, bytes: Uint8Array): PacketTag {
    PacketJourneys.push(this.of(task).fromSocket, bytes);
    return this.tag(bytes);
  }

  /** A task sends this datagram (the kernel's copy of it): it carries the oldest packet read from a tun, if any. */
  sending(task: object, bytes: Uint8Array): PacketTag {
    const waiting = this.pending.get(task)?.fromTun;
    const inner = waiting && waiting.length > 0 && waiting[0]!.length <= bytes.length ? waiting.shift() : undefined;
    return this.label(bytes, inner ? { id: this.next++, inner: this.tag(inner).id } : { id: this.next++ });
  }

  /**
   * A task writes this packet to a tun/tap fd (the kernel's copy): it came out of the oldest
   * datagram received, and goes on as the packet that datagram carried, when it carried one. With
   * no datagram received but a packet read from a tun, it answers that packet.
   */
  writingToTun(task: object, bytes: Uint8Array): PacketTag {
    const waiting = this.pending.get(task)?.fromSocket;
    // Datagrams too short to have carried it ended in the program (its keepalives): forgotten.
    while (waiting && waiting.length > 0 && waiting[0]!.length < bytes.length) waiting.shift();
    const received = waiting?.shift();
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
