// A device's offload features, as Linux's netdev features: what the driver can change
// (hw_features), what the user asked for (wanted_features) and what is on (features), the last
// derived from the wanted set by netdev_fix_features' rules: segmentation offload needs
// scatter-gather and a transmit checksum feature, and ECN or mangled-ID segmentation needs TSO
// itself. A wanted feature that a rule drops comes back when the rule allows it again, as
// `ethtool -K tx on` restores a TSO that `tx off` took away.

import { type EthtoolFeatures, featureBit, NETDEV_FEATURES, type NetdevFeature } from '../../../abi/ethtool.js';

const bit = (name: NetdevFeature): number => featureBit(name);

const SG = bit('tx-scatter-gather');
const HW_CSUM = bit('tx-checksum-ip-generic');
const IP_CSUM = bit('tx-checksum-ipv4');
const GSO = bit('tx-generic-segmentation');
const GRO = bit('rx-gro');
const TSO = bit('tx-tcp-segmentation');
const TSO_ECN = bit('tx-tcp-ecn-segmentation');
const TSO_MANGLEID = bit('tx-tcp-mangleid-segmentation');
const TSO6 = bit('tx-tcp6-segmentation');

/** What tunlab's virtual Ethernet card can switch (the rest of the string set it cannot do). */
export const NIC_CHANGEABLE: readonly NetdevFeature[] = [
  'tx-scatter-gather',
  'tx-checksum-ip-generic',
  'tx-generic-segmentation',
  'rx-gro',
  'tx-tcp-segmentation',
  'tx-tcp-ecn-segmentation',
  'tx-tcp-mangleid-segmentation',
];

export class NetFeatures {
  private readonly available: boolean[];
  private readonly wanted: boolean[];
  private active: boolean[];
  /** The features the data path asks about per packet, kept as plain fields. */
  tso = false;
  tsoEcn = false;
  gso = false;
  gro = false;
  txCsum = false;

  constructor(changeable: readonly NetdevFeature[] = [], on: readonly NetdevFeature[] = []) {
    this.available = NETDEV_FEATURES.map(() => false);
    for (const f of changeable) this.available[bit(f)] = true;
    this.wanted = this.available.map(() => false);
    for (const f of on) this.wanted[bit(f)] = this.available[bit(f)]!;
    this.active = this.fixed();
    this.cache();
  }

  /** Whether TCP may hand this device packets larger than one segment (Linux's sk_can_gso). */
  get canGso(): boolean {
    return this.gso || this.tso;
  }

  /** ETHTOOL_SFEATURES: the changeable bits of `valid` take their `requested` value. */
  set(valid: readonly boolean[], requested: readonly boolean[]): void {
    for (let i = 0; i < this.wanted.length; i++) if (valid[i] && this.available[i]) this.wanted[i] = requested[i] === true;
    this.active = this.fixed();
    this.cache();
  }

  /** Turn features on or off by name (a world file's NIC, a test). */
  setByName(changes: ReadonlyMap<NetdevFeature, boolean>): void {
    const valid = this.wanted.map(() => false);
    const requested = this.wanted.map(() => false);
    for (const [name, on] of changes) {
      valid[bit(name)] = true;
      requested[bit(name)] = on;
    }
    this.set(valid, requested);
  }

  /** ETHTOOL_GFEATURES. */
  get(): Required<Pick<EthtoolFeatures, 'available' | 'requested' | 'active' | 'neverChanged'>> {
    return { available: [...this.available], requested: [...this.wanted], active: [...this.active], neverChanged: this.available.map(() => false) };
  }

  /** netdev_fix_features, for the rules that concern what tunlab models. */
  private fixed(): boolean[] {
    const f = [...this.wanted];
    const tsoBits = [TSO, TSO_ECN, TSO_MANGLEID, TSO6];
    if (!f[SG] || !(f[HW_CSUM] || f[IP_CSUM])) for (const b of tsoBits) f[b] = false;
    if (!f[TSO]) f[TSO_MANGLEID] = false;
    if (!f[TSO] && !f[TSO6]) f[TSO_ECN] = false;
    // Software GSO depends on scatter-gather.
    if (!f[SG]) f[GSO] = false;
    return f;
  }

  private cache(): void {
    const a = this.active;
    this.tso = a[TSO]!;
    this.tsoEcn = a[TSO_ECN]!;
    this.gso = a[GSO]!;
    this.gro = a[GRO]!;
    this.txCsum = a[HW_CSUM]! || a[IP_CSUM]!;
  }
}
