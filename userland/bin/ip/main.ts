// ip: show and change routing, devices and tunnels, as iproute2's `ip` for people who know Linux:
// link, address, route, neigh, tuntap and tcp_metrics, with -4, -o/-oneline, -br/-brief and -s. It follows
// iproute2's conventions (keywords abbreviate, "Error:"/"RTNETLINK answers:" lines, statuses 1,
// 2 and 255) over the same socket ioctls as ifconfig, route and arp. Interface names are the
// host's own (loop, /dev/net/ipro1000/0, tun/0) and print as they are.

import { defineProgram } from '../../../kernel/abi/program.js';
import { guarded, out } from '../../lib/guard.js';
import { netSocket } from '../../lib/netconf.js';
import { fail, type IpOptions, matches } from './common.js';
import { addrCommand, linkCommand } from './link.js';
import { neighCommand, routeCommand } from './route.js';
import { tcpMetricsCommand } from './tcp-metrics.js';
import { tuntapCommand } from './tuntap.js';

const USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | link | neighbour | route | tcp_metrics | tuntap }
       OPTIONS := { -4 | -s[tatistics] | -o[neline] | -br[ief] | -h[elp] }
(tunlab's ip follows iproute2; interface names are this host's, e.g. /dev/net/ipro1000/0, tun/0)
`;

const HELP: Record<string, string> = {
  link: `Usage: ip link show [ [ dev ] DEVICE ]
       ip link set { DEVICE | dev DEVICE } [ { up | down } ] [ mtu MTU ] [ address LLADDR ]
                   [ txqueuelen PACKETS ] [ promisc { on | off } ] [ allmulticast { on | off } ]
`,
  address: `Usage: ip address { add | del } IFADDR dev IFNAME
       ip address show [ [ dev ] IFNAME ]
       ip address flush [ dev ] IFNAME
IFADDR := PREFIX [ peer PREFIX ] [ broadcast ADDR ]
`,
  route: `Usage: ip route [ show ]
       ip route get ADDRESS
       ip route { add | del | replace } ROUTE
ROUTE := { PREFIX | default } [ via ADDRESS ] [ dev STRING ] [ metric NUMBER ]
`,
  neighbour: `Usage: ip neigh { add | del | replace } ADDR lladdr LLADDR dev DEV
       ip neigh { show | flush } [ dev DEV ]
`,
  tuntap: `Usage: ip tuntap { add | del | show | list } [ dev PHYS_DEV ] [ mode { tun | tap } ]
          [ user USER ] [ group GROUP ] [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ]
`,
};

export default defineProgram({
  name: 'ip',
  summary: 'show and change routing, devices and tunnels (iproute2)',
  main: guarded('ip', async (argv, sys) => {
    const o: IpOptions = { family4: false, oneline: false, brief: false, stats: false };
    let args = argv.slice(1);
    while (args[0]?.startsWith('-') && args[0].length > 1) {
      const opt = args.shift()!.replace(/^--/, '-');
      if (opt === '-4') o.family4 = true;
      else if (matches(opt.slice(1), 'oneline')) o.oneline = true;
      else if (matches(opt.slice(1), 'brief') && opt.length >= 3) o.brief = true;
      else if (matches(opt.slice(1), 'statistics', 'stats')) o.stats = true;
      else if (matches(opt.slice(1), 'help')) {
        await out(sys, USAGE);
        return 0;
      } else return fail(sys, `Option "${opt}" is unknown, try "ip -help".`, 255);
    }
    const object = args.shift();
    if (object === undefined) {
      await out(sys, USAGE);
      return 255;
    }
    if (matches(object, 'help')) {
      await out(sys, USAGE);
      return 0;
    }
    const table: Array<[string[], string]> = [
      [['address'], 'address'],
      [['link'], 'link'],
      [['route'], 'route'],
      [['neighbour', 'neighbor'], 'neighbour'],
      [['tuntap', 'tap'], 'tuntap'],
      [['tcpmetrics', 'tcp_metrics'], 'tcp_metrics'],
    ];
    const hit = table.find(([names]) => matches(object, ...names) && !(object.startsWith('tu') && object.length < 4));
    if (!hit) return fail(sys, `Object "${object}" is unknown, try "ip help".`, 1);
    const which = hit[1];
    if (args[0] === 'help' && HELP[which]) {
      await out(sys, HELP[which]);
      return 0;
    }
    const fd = await netSocket(sys);
    if (fd === null) return fail(sys, 'Cannot open netlink socket: Address family not supported by protocol', 1);
    try {
      if (which === 'link') return await linkCommand(sys, fd, args, o);
      if (which === 'address') return await addrCommand(sys, fd, args, o);
      if (which === 'route') return await routeCommand(sys, fd, args, o);
      if (which === 'neighbour') return await neighCommand(sys, fd, args, o);
      if (which === 'tcp_metrics') return await tcpMetricsCommand(sys, fd, args, o);
      return await tuntapCommand(sys, fd, args);
    } finally {
      await sys.close(fd);
    }
  }),
});
