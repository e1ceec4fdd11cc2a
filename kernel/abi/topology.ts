// The world as it is wired right now (the topology syscall): each host with the interfaces that
// are up, their addresses, the segment a NIC is plugged into, the bridge an interface is a port
// of. What `topology` draws; tunnels it finds itself, from the addresses of the tuns and taps.

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
