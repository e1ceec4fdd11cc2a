// The report printed when a run cannot go on: each blocked process, the call it is in and the
// wait channel it sleeps on, so the cause of a deadlock can be read straight off it.

import type { Task } from './scheduler.js';

export function formatBlockedTasks(tasks: readonly Task[]): string[] {
  // Grouped by host, in pid order within each (the tasks come in the order they were created).
  const sorted = [...tasks].sort((a, b) => {
    const [x, y] = [a.owner.describe(), b.owner.describe()];
    return x.host < y.host ? -1 : x.host > y.host ? 1 : x.pid - y.pid;
  });
  const rows = sorted.map((t) => {
    const d = t.owner.describe();
    const b = t.blockedOn;
    return {
      who: `${d.host}: pid ${d.pid} (${d.command})`,
      what: b ? `${b.syscall}, waiting on ${b.channel}` : 'running its own code, in no system call',
    };
  });
  const width = Math.max(0, ...rows.map((r) => r.who.length));
  return rows.map((r) => `  ${r.who.padEnd(width)}  ${r.what}`);
}

export function formatDeadlock(kind: 'deadlock' | 'time-limit', tasks: readonly Task[], limitDesc = ''): string {
  const head =
    kind === 'deadlock'
      ? 'deadlock: every process is blocked and nothing can wake any of them'
      : `time limit reached${limitDesc ? ` (${limitDesc})` : ''} with processes still ${tasks.some((t) => t.state === 'runnable') ? 'running' : 'blocked'}`;
  return [`tunlab: ${head}`, ...formatBlockedTasks(tasks)].join('\n') + '\n';
}
