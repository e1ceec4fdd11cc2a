// The world as it is wired right now (the topology syscall): each host with the interfaces that
// are up, their addresses, the segment a NIC is plugged into, the bridge an interface is a port
// of, and for a tun or tap the sockets of the programs on it. What `topology` draws; tunnels it
// finds itself, from those sockets' flows (and, where they say nothing, from the addresses).

/**
 * A socket of a program on a tun or tap, as `ss` shows it ("addr:port"), except that an unconnected
 * UDP socket's remote is where it last sent a datagram (conntrack's view); "*:*" when it sent none.
 */
export interface TopologyFlow {
  proto: 'udp' | 'tcp';
  local: string;
  remote: string;
}

export interface TopologyInterface {
  name: string;
  kind: 'nic' | 'tun' | 'tap' | 'bridge' | 'loop';
  /** Up and with a carrier (a tun with an fd on it, a NIC plugged in). */
  running: boolean;
  /** Addresses as CIDR ("192.168.1.10/24"). */
  addresses: string[];
  /** The other end of a point-to-point link. */
  peer?: string;
  /** The segment a NIC is plugged into. */
  segment?: string;
  /** The bridge this interface is a port of. */
  bridge?: string;
  /** A tun or tap: the UDP and TCP sockets of the processes that have it open (a VPN's link to its peer). */
  flows?: TopologyFlow[];
}

export interface TopologyHost {
  name: string;
  forwarding: boolean;
  /** The interfaces that are up, loop aside. */
  interfaces: TopologyInterface[];
}

export interface WorldTopology {
  hosts: TopologyHost[];
}
