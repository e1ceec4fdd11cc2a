// journey: run a command while the kernel records every packet of the world (journey_open), then
// show each packet's journey: every layer it crossed on every host, the decision taken there, and
// where and why it died. As a text list (the default), a page (-o FILE: one self-contained HTML
// file, a sequence diagram), or stepped through in the terminal (-i). Packet Tracer's simulation
// mode, for what happens inside a TUN driver and a VPN process too.

import { isSysError } from '../../../kernel/abi/errno.js';
import { JOURNEY_RING_BYTES, JOURNEY_RING_DEFAULT, JOURNEY_RING_MAX, type JourneyEvent } from '../../../kernel/abi/journey.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { guarded } from '../../lib/guard.js';
import { SIGINT } from '../../../kernel/abi/signal.js';
import { CLOCK_MONOTONIC, type Sys } from '../../../kernel/abi/syscalls.js';
import { shellStatus } from '../../../kernel/abi/wait.js';
import { parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { command, intArg, parse } from '../../lib/cli.js';
import { execFailure, spawnp } from '../../lib/exec.js';
import { isatty } from '../../lib/fileio.js';
import { eprint, writeAll } from '../../lib/io.js';
import { compileJourneyFilter, worldPlaces } from '../../lib/journey/filter.js';
import { buildJourneys, type EventFilter, shownEvents } from '../../lib/journey/model.js';
import { formatJourneys } from '../../lib/journey/text.js';
import { FilterError } from '../../lib/pcap-filter.js';
import { hostsTable } from '../../lib/resolve.js';
import { openPage, writePage } from './page.js';
import type { Recording } from './recording.js';
import { stepThrough } from './step.js';

interface Options {
  filter?: string;
  o?: string;
  i?: boolean;
  buffer?: number;
}

export default defineProgram({
  name: 'journey',
  summary: "follow a command's packets through every layer of every host",
  main: guarded('journey', async (argv, sys) => {
    const cmd = command('journey', "run a command, recording every packet of the world, and show each packet's journey")
      .option('-f, --filter <filter>', "show only what the filter keeps: tcpdump's language (a packet test keeps a packet's whole journey), plus 'on HOST' and 'layer NAME'")
      .option('-o <file>', 'write the journeys as one self-contained HTML page (a sequence diagram) instead of listing them')
      .option('-i', 'step through the events in the terminal (arrows or j/k, n: next drop, /: filter, q: quit)')
      .option('-b, --buffer <events>', `how many events the recording keeps, the newest (default ${JOURNEY_RING_DEFAULT}; and at most ${JOURNEY_RING_BYTES >> 20} MiB of packets)`, intArg('--buffer', 1, JOURNEY_RING_MAX))
      .argument('<command...>', 'the command to run, and its arguments')
      .passThroughOptions();
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    let filter: EventFilter | undefined;
    if (o.filter !== undefined) {
      const hosts = await hostsTable(sys);
      try {
        filter = compileJourneyFilter(o.filter, (name) => parseIpv4(name) ?? hosts.get(name) ?? null, await worldPlaces(sys));
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        await eprint(sys, `journey: ${e.message === 'syntax error' ? "can't parse filter expression: " : ''}${e.message}\n`);
        return 1;
      }
    }
    // The step view needs a terminal, keys in and screen out: known before the command runs for nothing.
    if (o.i) {
      for (const [fd, name] of [[0, 'input'], [1, 'output']] as const) {
        if (await isatty(sys, fd)) continue;
        await eprint(sys, `journey: -i needs a terminal (standard ${name} is not one)\n`);
        return 1;
      }
    }
    // The page's file too: a path that cannot be written is said before the command runs.
    let page: number | undefined;
    if (o.o !== undefined) {
      const opened = await openPage(sys, o.o);
      if (typeof opened === 'string') {
        await eprint(sys, `journey: ${o.o}: ${opened}\n`);
        return 1;
      }
      page = opened;
    }
    let fd: number;
    try {
      fd = await sys.journey_open(o.buffer !== undefined ? { events: o.buffer } : {});
    } catch (e) {
      if (page !== undefined && page !== 1) await sys.close(page);
      if (isSysError(e, 'EPERM')) {
        await eprint(sys, 'journey: recording the packets of the world needs root (uid 0)\n');
        return 1;
      }
      throw e;
    }
    const startNs = await sys.clock_gettime(CLOCK_MONOTONIC);
    let status: number;
    // ^C is for the command (a ping that runs until stopped): journey lives on to show what it did.
    // A handler, not SIG_IGN, which the command would inherit.
    await sys.sigaction(SIGINT, () => {});
    try {
      const pid = await spawnp(sys, r.args);
      status = shellStatus(await waitFor(sys, pid));
    } catch (e) {
      await sys.close(fd);
      if (page !== undefined && page !== 1) await sys.close(page);
      const f = await execFailure(sys, r.args[0]!, e);
      await eprint(sys, `journey: ${f.message}\n`);
      return f.status;
    }
    const { events, lost } = await drain(sys, fd);
    await sys.close(fd);
    const rec: Recording = { events, ...(o.filter !== undefined ? { filter: o.filter } : {}), journeys: buildJourneys(events, filter), startNs, lost, command: r.args.join(' ') };
    if (lost > 0) await eprint(sys, `journey: ${lost} events were lost: the recording keeps ${o.buffer ?? JOURNEY_RING_DEFAULT} events and ${JOURNEY_RING_BYTES >> 20} MiB of packets (-b to keep more events)\n`);
    if (page !== undefined && o.o !== undefined) {
      const err = await writePage(sys, page, rec);
      if (err !== null) {
        await eprint(sys, `journey: ${o.o}: ${err}\n`);
        return 1;
      }
      await eprint(sys, `journey: ${rec.journeys.length} packets, ${shownEvents(rec.journeys).length} events written to ${o.o}\n`);
    } else if (o.i) {
      const err = await stepThrough(sys, rec);
      if (err !== null) {
        await eprint(sys, `journey: ${err}\n`);
        return 1;
      }
    } else await writeAll(sys, 1, formatJourneys(rec.journeys, startNs));
    return status;
  }),
});

/** The command's wait status, through the signals that interrupt the wait. */
async function waitFor(sys: Sys, pid: number): Promise<number> {
  for (;;) {
    try {
      return (await sys.waitpid(pid)).status;
    } catch (e) {
      if (!isSysError(e, 'EINTR')) throw e;
    }
  }
}

/** Every event the recording holds, oldest first. */
async function drain(sys: Sys, fd: number): Promise<{ events: JourneyEvent[]; lost: number }> {
  const events: JourneyEvent[] = [];
  let lost = 0;
  for (;;) {
    const b = await sys.journey_read(fd, 4096);
    lost = b.lost;
    if (b.events.length === 0) return { events, lost };
    events.push(...b.events);
  }
}
