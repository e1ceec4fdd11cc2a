// SIOCETHTOOL's feature commands (linux/ethtool.h): the string set of netdev features a kernel
// knows, in its bit order (netdev_features.h, what ETH_SS_FEATURES lists), and the blocks
// ETHTOOL_GFEATURES fills and ETHTOOL_SFEATURES reads, as arrays per block instead of 32-bit words.
// The names are Linux 6.12's (no AccECN segmentation).

export const ETHTOOL_GFEATURES = 0x3a;
export const ETHTOOL_SFEATURES = 0x3b;

/** Bits of the feature words, Linux's NETIF_F_*_BIT order; a name's index is its bit. */
export const NETDEV_FEATURES = [
  'tx-scatter-gather',
  'tx-checksum-ipv4',
  '',
  'tx-checksum-ip-generic',
  'tx-checksum-ipv6',
  'highdma',
  'tx-scatter-gather-fraglist',
  'tx-vlan-hw-insert',
  'rx-vlan-hw-parse',
  'rx-vlan-filter',
  'vlan-challenged',
  'tx-generic-segmentation',
  // NETIF_F_LLTX and NETIF_F_NETNS_LOCAL became device flags (Linux 6.12): unused bits.
  '',
  '',
  'rx-gro',
  'rx-lro',
  'tx-tcp-segmentation',
  'tx-gso-robust',
  'tx-tcp-ecn-segmentation',
  'tx-tcp-mangleid-segmentation',
  'tx-tcp6-segmentation',
  'tx-fcoe-segmentation',
  'tx-gre-segmentation',
  'tx-gre-csum-segmentation',
  'tx-ipxip4-segmentation',
  'tx-ipxip6-segmentation',
  'tx-udp_tnl-segmentation',
  'tx-udp_tnl-csum-segmentation',
  'tx-gso-partial',
  'tx-tunnel-remcsum-segmentation',
  'tx-sctp-segmentation',
  'tx-esp-segmentation',
  'tx-udp-segmentation',
  'tx-gso-list',
  'tx-checksum-fcoe-crc',
  'tx-checksum-sctp',
  // NETIF_F_FCOE_MTU, gone as well.
  '',
  'rx-ntuple-filter',
  'rx-hashing',
  'rx-checksum',
  'tx-nocache-copy',
  'loopback',
  'rx-fcs',
  'rx-all',
  'tx-vlan-stag-hw-insert',
  'rx-vlan-stag-hw-parse',
  'rx-vlan-stag-filter',
  'l2-fwd-offload',
  'hw-tc-offload',
  'esp-hw-offload',
  'esp-tx-csum-hw-offload',
  'rx-udp_tunnel-port-offload',
  'tls-hw-tx-offload',
  'tls-hw-rx-offload',
  'rx-gro-hw',
  'tls-hw-record',
  'rx-gro-list',
  'macsec-hw-offload',
  'rx-udp-gro-forwarding',
  'hsr-tag-ins-offload',
  'hsr-tag-rm-offload',
  'hsr-fwd-offload',
  'hsr-dup-offload',
] as const;

export type NetdevFeature = Exclude<(typeof NETDEV_FEATURES)[number], ''>;

/** The bit of a feature name, or -1 for a name the kernel does not know. */
export function featureBit(name: string): number {
  return name === '' ? -1 : (NETDEV_FEATURES as readonly string[]).indexOf(name);
}

/**
 * ETHTOOL_GFEATURES: per bit, whether it can be changed (hw_features), is wanted, is on now, and
 * is never changeable (NETIF_F_NEVER_CHANGE); ETHTOOL_SFEATURES: `valid` marks the bits to set to
 * `requested`.
 */
export interface EthtoolFeatures {
  cmd: number;
  available?: boolean[];
  requested?: boolean[];
  active?: boolean[];
  neverChanged?: boolean[];
  valid?: boolean[];
}
