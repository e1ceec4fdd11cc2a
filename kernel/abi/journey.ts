// Packet journeys: what the kernel records while someone watches (journey_open), one event for
// each layer a packet crosses on each host and each drop, as a network simulator's event list.
// A packet keeps one identity (`id`) from the syscall that made it to the one that consumed it,
// across every host it passes; a tunnel's datagram carries the id of the packet inside it.

/** The layers a packet crosses, top to bottom: the lanes of the journey view. */
export const JOURNEY_LAYERS = ['syscall', 'socket', 'ip', 'arp', 'queue', 'driver', 'nic', 'bridge', 'segment', 'uplink'] as const;
export type JourneyLayer = (typeof JOURNEY_LAYERS)[number];

/**
 * Why a packet was dropped. The kernel names the drops it sees (the Linux skb drop reason each one
 * corresponds to is in the comment); `replay`, `hmac` and `decrypt` happen inside a VPN program,
 * where no kernel can see them: the program reports them with journey_drop().
 */
export const DROP_REASONS = {
  'queue-full': 'queue full', // FULL_RING (a tun/tap fd's queue), QDISC_DROP
  'no-reader': 'no reader: no fd is attached to the interface', // DEV_READY (tun->tfiles empty)
  'iface-down': 'interface down', // DEV_READY (IFF_UP clear)
  'no-carrier': 'no carrier', // DEV_READY
  'no-route': 'no route to the destination', // IP_OUTNOROUTES, IP_INNOROUTES
  ttl: 'TTL exceeded', // IP_INHDR (ip_forward's too_many_hops)
  'bad-checksum': 'bad checksum', // IP_CSUM, UDP_CSUM, ICMP_CSUM
  malformed: 'malformed header', // IP_INHDR, PKT_TOO_SMALL, HDR_TRUNC
  'not-for-us': 'not for this host and forwarding is off', // IP_INADDRERRORS, OTHERHOST
  'no-socket': 'no socket on that port', // NO_SOCKET
  'rcvbuf-full': 'receive buffer full', // SOCKET_RCVBUFF
  'neigh-failed': 'neighbour did not answer ARP', // NEIGH_FAILED
  'neigh-queue-full': 'too many packets waiting for ARP', // NEIGH_QUEUEFULL
  'backlog-full': 'input backlog full', // CPU_BACKLOG
  'link-loss': 'lost on the link', // (netem's loss)
  'too-big': 'too big and DF set', // PKT_TOO_BIG
  'no-handler': 'no handler for the protocol', // UNHANDLED_PROTO
  'tx-filter': "refused by the tap's filter", // TAP_TXFILTER
  replay: 'replayed packet (reported by the program)',
  hmac: 'HMAC authentication failed (reported by the program)',
  decrypt: 'could not be decrypted (reported by the program)',
} as const satisfies Readonly<Record<string, string>>;
export type DropReason = keyof typeof DROP_REASONS;

/** The drops a program may report (journey_drop): what happens where only it can see. */
export const PROGRAM_DROP_REASONS = ['replay', 'hmac', 'decrypt', 'malformed'] as const satisfies readonly DropReason[];
export type ProgramDropReason = (typeof PROGRAM_DROP_REASONS)[number];

export interface JourneyEvent {
  /** Position in the recording: the order things happened in, across the world. */
  seq: number;
  /** Monotonic time since boot, ns (virtual in scripts). */
  timeNs: number;
  host: string;
  layer: JourneyLayer;
  /** The interface, socket, device or segment this happened at. */
  where: string;
  /** What happened, in a word: sendto, output, hit, miss, enqueue, read, in, forward, drop ... */
  event: string;
  dir: 'in' | 'out' | 'drop' | 'deliver';
  /** The packet's identity, the same on every host; 0 for none. */
  id: number;
  /** The packet this one carries (a tunnel's datagram around the packet read from a tun). */
  inner?: number;
  /** The datagram this packet came out of (the inner packet written to a tun). */
  outer?: number;
  /** The packet this one answers (an echo reply, an ICMP error, an ARP request for a packet). */
  cause?: number;
  /** The decision taken there: the route, the next hop, the queue's fill, the socket. */
  decision?: string;
  reason?: DropReason;
  /** The counter the drop was counted in ("tun/0 tx_dropped", "Udp NoPorts"). */
  counter?: string;
  /** The process, for the syscall layer. */
  pid?: number;
  command?: string;
  /** What the bytes are: an Ethernet frame, an IP packet, or a payload a program handed over. */
  link: 'ether' | 'ip' | 'data';
  bytes: Uint8Array;
}

export interface JourneyOpenOptions {
  /** How many events the ring keeps (default JOURNEY_RING_DEFAULT); older ones are overwritten. */
  events?: number;
}

export const JOURNEY_RING_DEFAULT = 65536;
export const JOURNEY_RING_MAX = 1 << 22;
/**
 * The packet bytes a recording holds at most, whatever its event count: past it the oldest events
 * are overwritten and counted as lost, as past the count. 1<<22 events of full-size frames would be
 * gigabytes; this keeps a recording's memory bounded (about twice this, with the events' fields).
 */
export const JOURNEY_RING_BYTES = 128 << 20;

export interface JourneyBatch {
  events: JourneyEvent[];
  /** Events overwritten in the ring before they were read, since the recording began. */
  lost: number;
}
