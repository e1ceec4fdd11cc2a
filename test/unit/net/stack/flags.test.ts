// SIOCSIFFLAGS as Linux's __dev_change_flags(): the flags given replace NOARP and MULTICAST (and
// PROMISC, ALLMULTI, UP); BROADCAST, POINTOPOINT and RUNNING stay the device's. Found by the
// differential TUN suite (fixtures/difftun/flags-tun-up-down.json: Linux answers 0x51 after
// SIOCSIFFLAGS IFF_UP on a tun, where tunlab kept NOARP|MULTICAST).

import { describe, expect, it } from 'vitest';
import { IFF_BROADCAST, IFF_MULTICAST, IFF_NOARP, IFF_POINTOPOINT, IFF_PROMISC, IFF_RUNNING, IFF_UP } from '../../../../kernel/abi/if.js';
import * as config from '../../../../kernel/net/iface/config.js';
import { TestDevice, testStack } from '../../../helpers/stack.js';

const LOW16 = 0xffff;

function ptp() {
  const t = testStack();
  const iface = t.stack.addInterface('tun/0', new TestDevice('ip', null));
  return { ...t, iface };
}

describe('SIOCSIFFLAGS', () => {
  it('IFF_UP alone clears NOARP, as on Linux; POINTOPOINT stays the device\'s', () => {
    const { stack, iface } = ptp();
    expect(iface.flags & LOW16).toBe(IFF_POINTOPOINT | IFF_NOARP);
    config.setFlags(stack, iface, IFF_UP);
    expect(iface.flags & LOW16).toBe(IFF_UP | IFF_POINTOPOINT | IFF_RUNNING);
    config.setFlags(stack, iface, 0);
    expect(iface.flags & LOW16).toBe(IFF_POINTOPOINT);
  });

  it('a read-modify-write (what ifconfig up does) keeps them, and sets them back', () => {
    const { stack, iface } = ptp();
    config.setFlags(stack, iface, iface.flags | IFF_UP);
    expect(iface.flags & LOW16).toBe(IFF_UP | IFF_POINTOPOINT | IFF_RUNNING | IFF_NOARP);
    config.setFlags(stack, iface, IFF_UP);
    config.setFlags(stack, iface, IFF_UP | IFF_NOARP | IFF_MULTICAST);
    expect(iface.flags & LOW16).toBe(IFF_UP | IFF_POINTOPOINT | IFF_RUNNING | IFF_NOARP | IFF_MULTICAST);
  });

  it('cannot take BROADCAST from an Ethernet device, nor give it to a point-to-point one', () => {
    const t = testStack();
    const eth = t.stack.addInterface('/dev/net/ipro1000/0', new TestDevice('ether', 0x0200_0000_0001));
    config.setFlags(t.stack, eth, IFF_UP | IFF_PROMISC);
    expect(eth.flags & LOW16).toBe(IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_PROMISC);
    const { stack, iface } = ptp();
    config.setFlags(stack, iface, IFF_UP | IFF_BROADCAST);
    expect(iface.flags & IFF_BROADCAST).toBe(0);
  });
});
