// The report printed when a run cannot go on: each blocked process, the call it is in and the
// wait channel it sleeps on, so the cause of a deadlock can be read straight off it.

import type { Task } from './scheduler.js';

export function formatBlockedTasks(tasks: readonly Task[]): string[] {
  const rows = tasks.map((t) => {
    const d = t.owner.describe();
    const b = t.blockedOn;
    return {
      who: `${d.host}: pid ${d.pid} (${d.command})`,
      what: b ? `${b.syscall}, waiting on ${b.channel}` : 'runnable',
    };
  });
  const width = Math.max(0, ...rows.map((r) => r.who.length));
  return rows.map((r) => `  ${r.who.padEnd(width)}  ${r.what}`);
}

export function formatDeadlock(kind: 'deadlock' | 'time-limit', tasks: readonly Task[], limitDesc = ''): string {
  const head =
    kind === 'deadlock'
      ? 'deadlock: every process is blocked and nothing can wake any of them'
      : `time limit reached${limitDesc ? ` (${limitDesc})` : ''} with processes still blocked`;
  return [`tunlab: ${head}`, ...formatBlockedTasks(tasks)].join('\n') + '\n';
}
