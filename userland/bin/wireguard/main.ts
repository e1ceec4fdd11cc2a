// wireguard-go: the userspace WireGuard daemon, after wireguard-go 0.0.20220316's main.go. Its
// arguments are read as that main.go reads them (no option parser: `-f`/`--foreground` and an
// interface name, anything else prints the usage, status 0), then it makes the tun and the UAPI
// socket, and unless told to stay in the foreground starts itself again with both handed over as
// fds 3 and 4 (WG_TUN_FD, WG_UAPI_FD, WG_PROCESS_FOREGROUND=1) and returns. Without LOG_LEVEL the
// daemon's output goes to /dev/null, as the real one's does.
//
// The real one warns at start, on Linux, that the kernel has WireGuard of its own; tunlab's kernel
// has none, so that box is not printed.

import { isSysError } from '../../../kernel/abi/errno.js';
import { O_CLOEXEC, O_RDWR } from '../../../kernel/abi/fcntl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { guarded } from '../../lib/guard.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { CLOCK_REALTIME } from '../../../kernel/abi/syscalls.js';
import { print } from '../../lib/io.js';
import { DEFAULT_MTU } from './constants.js';
import { LOG_SILENT, logLevelOf, WgLog } from './log.js';
import { runDaemon } from './loop.js';
import { createTun, tunName } from './tun.js';
import { socketPath, uapiOpen } from './uapi-server.js';

export const WIREGUARD_GO_VERSION = '0.0.20220316';
const EXIT_SETUP_FAILED = 1;

export default defineProgram({
  name: 'wireguard-go',
  summary: 'userspace WireGuard daemon (wireguard-go 0.0.20220316)',
  main: guarded('wireguard-go', (argv, sys) => wireguardGo(argv, sys)),
});

const USAGE = 'Usage: wireguard-go [-f/--foreground] INTERFACE-NAME\n';

async function wireguardGo(argv: string[], sys: Sys): Promise<number> {
  const args = argv.slice(1);
  if (args.length === 1 && args[0] === '--version') {
    await print(sys, `wireguard-go v${WIREGUARD_GO_VERSION}\n\nUserspace WireGuard daemon for haiku-amd64.\nInformation available at https://www.wireguard.com.\nCopyright (C) Jason A. Donenfeld <Jason@zx2c4.com>.\n`);
    return 0;
  }
  let foreground = false;
  let ifname: string;
  if (args.length < 1 || args.length > 2) return usage(sys);
  if (args[0] === '-f' || args[0] === '--foreground') {
    if (args.length !== 2) return usage(sys);
    foreground = true;
    ifname = args[1]!;
  } else {
    if (args.length !== 1) return usage(sys);
    ifname = args[0]!;
  }
  if (!foreground) foreground = sys.getenv('WG_PROCESS_FOREGROUND') === '1';
  const level = logLevelOf(sys.getenv('LOG_LEVEL'));
  const clock = { wall: await sys.clock_gettime(CLOCK_REALTIME) };

  let tunFd: number;
  let tunErr: string | null = null;
  const givenTun = sys.getenv('WG_TUN_FD');
  if (givenTun === undefined) {
    const t = await createTun(sys, ifname, DEFAULT_MTU);
    if (typeof t === 'string') {
      tunErr = t;
      tunFd = -1;
    } else {
      tunFd = t.fd;
      ifname = t.name;
    }
  } else {
    tunFd = Number(givenTun);
    ifname = (await tunName(sys, tunFd)) ?? ifname;
  }
  const log = new WgLog(sys, level, ifname, () => clock.wall);
  await log.verbose(`Starting wireguard-go version ${WIREGUARD_GO_VERSION}`);
  if (tunErr !== null) {
    await log.error(`Failed to create TUN device: ${tunErr}`);
    return EXIT_SETUP_FAILED;
  }
  const givenUapi = sys.getenv('WG_UAPI_FD');
  const uapiFd = givenUapi === undefined ? await uapiOpen(sys, ifname) : Number(givenUapi);
  if (typeof uapiFd === 'string') {
    await log.error(`UAPI listen error: ${uapiFd}`);
    return EXIT_SETUP_FAILED;
  }

  if (!foreground) return daemonize(sys, argv, tunFd, uapiFd, level, log);

  try {
    return await runDaemon({ sys, log, ifname, tunFd, uapiFd, clock });
  } finally {
    await log.verbose('Shutting down');
    // The listener goes, and its name with it.
    try {
      await sys.unlink(socketPath(ifname));
    } catch (e) {
      if (!isSysError(e)) throw e;
    }
  }
}

async function usage(sys: Sys): Promise<number> {
  await print(sys, USAGE);
  return 0;
}

/** Start this program again in the foreground, with the tun and the UAPI socket as fds 3 and 4. */
async function daemonize(sys: Sys, argv: string[], tunFd: number, uapiFd: number, level: number, log: WgLog): Promise<number> {
  const devNull = await sys.open('/dev/null', O_RDWR | O_CLOEXEC);
  const verbose = sys.getenv('LOG_LEVEL') !== undefined && level !== LOG_SILENT;
  const env = { ...sys.environ(), WG_TUN_FD: '3', WG_UAPI_FD: '4', WG_PROCESS_FOREGROUND: '1' };
  try {
    await sys.spawn('/bin/wireguard-go', argv, { fds: [devNull, verbose ? 1 : devNull, verbose ? 2 : devNull, tunFd, uapiFd], env });
  } catch (e) {
    if (!isSysError(e)) throw e;
    await log.error(`Failed to daemonize: ${e.message}`);
    return EXIT_SETUP_FAILED;
  } finally {
    await sys.close(devNull);
  }
  return 0;
}
