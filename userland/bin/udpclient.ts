// udpclient: the seed's UDP test client. It sends messages to a server and waits for each echo,
// reporting ICMP errors the way a connected socket hears of them (ECONNREFUSED and friends).

import { formatIpv4 } from '../../kernel/abi/wire/index.js';
import { POLLIN } from '../../kernel/abi/poll.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { sysMessage } from '../lib/errors.js';
import { guarded } from '../lib/guard.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../kernel/abi/socket.js';
import { command, intArg, numberArg, parse } from '../lib/cli.js';
import { eprint, print } from '../lib/io.js';
import { resolveHost } from '../lib/resolve.js';
import { printable } from '../lib/text.js';

export default defineProgram({
  name: 'udpclient',
  summary: 'send UDP datagrams and wait for their echo',
  main: guarded('udpclient', async (argv, sys) => {
    const cmd = command('udpclient', 'send UDP datagrams to a server and print the replies')
      .argument('<host>', 'server name or address')
      .argument('<port>', 'server UDP port', intArg('port', 1, 65535))
      .argument('[message...]', 'text to send (default: "hello")')
      .option('-c, --count <n>', 'send n datagrams (numbered when n > 1)', intArg('count', 1, 1e9), 1)
      .option('-i, --interval <seconds>', 'pause between datagrams', numberArg('interval', 0, 3600), 1)
      .option('-w, --wait <seconds>', 'how long to wait for each reply', numberArg('wait', 0, 3600), 2)
      .option('-p, --source-port <port>', 'local port to send from', intArg('source port', 1, 65535));
    const r = await parse<{ count: number; interval: number; wait: number; sourcePort?: number }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const [host, port, words] = cmd.processedArgs as [string, number, string[]];
    const message = words.length ? words.join(' ') : 'hello';
    const dst = await resolveHost(sys, host);
    if (dst === null) {
      await eprint(sys, `udpclient: cannot resolve ${host}\n`);
      return 2;
    }
    const o = r.opts;
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    try {
      if (o.sourcePort !== undefined) await sys.bind(fd, sockaddrIn('0.0.0.0', o.sourcePort));
      await sys.connect(fd, sockaddrIn(formatIpv4(dst), port));
    } catch (e) {
      await eprint(sys, `udpclient: ${formatIpv4(dst)}:${port}: ${sysMessage(e)}\n`);
      return 1;
    }
    const enc = new TextEncoder();
    let replies = 0;
    for (let i = 0; i < o.count; i++) {
      if (i > 0 && o.interval > 0) await sys.nanosleep(o.interval * 1e9);
      const text = o.count > 1 ? `${message} ${i + 1}` : message;
      try {
        await sys.sendto(fd, enc.encode(text));
      } catch (e) {
        await eprint(sys, `udpclient: send: ${sysMessage(e)}\n`);
        continue;
      }
      const fds = [{ fd, events: POLLIN, revents: 0 }];
      await sys.poll(fds, o.wait * 1000);
      if (!fds[0]!.revents) {
        await print(sys, `no reply to "${text}" within ${o.wait}s\n`);
        continue;
      }
      try {
        const got = await sys.recvfrom(fd, 65536);
        replies++;
        await print(sys, `reply from ${formatIpv4(dst)}:${port}: ${printable(got.data)}\n`);
      } catch (e) {
        await eprint(sys, `udpclient: recv: ${sysMessage(e)}\n`);
      }
    }
    return replies === o.count ? 0 : 1;
  }),
});
