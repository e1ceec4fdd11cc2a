// The loopback device behind `loop`: what it sends, it receives, one soft interrupt later.

import { IFF_LOOPBACK, IFT_LOOP } from '../../abi/if.js';
import type { IpStack } from './ip-stack.js';
import type { NetDevice, NetInterface } from './interface.js';

export class LoopbackDevice implements NetDevice {
  readonly link = 'loop';
  readonly ifType = IFT_LOOP;
  readonly deviceFlags = IFF_LOOPBACK;
  /** Haiku's loopback.cpp: loopback_init sets 16384 (Linux's lo has 65536). */
  readonly defaultMtu = 16384;
  readonly minMtu = 68;
  readonly maxMtu = 65536;
  readonly deletable = false;
  mac = null;
  carrier = true;

  constructor(private readonly stack: IpStack) {}

  transmit(iface: NetInterface, packet: Uint8Array): void {
    iface.counters.txPackets++;
    iface.counters.txBytes += packet.length;
    iface.counters.rxPackets++;
    iface.counters.rxBytes += packet.length;
    this.stack.linkInput(iface, packet);
  }
}
