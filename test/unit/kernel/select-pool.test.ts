// The select pool every device and socket notifies poll() through: syncs are told in the order
// they came, once each however often added, and one that leaves while another is told (a poll
// returning and deselecting) changes nothing for that notification.

import { describe, expect, it } from 'vitest';
import { B_SELECT_READ, B_SELECT_WRITE } from '../../../kernel/abi/select.js';
import { SelectPool, type SelectSync } from '../../../kernel/vfs/file.js';

function syncs(log: string[], names: string[]): SelectSync[] {
  return names.map((n) => ({ notify: (ev) => log.push(`${n}:${ev}`) }));
}

describe('SelectPool', () => {
  it('notifies the syncs of an event in the order they were added, each once', () => {
    const log: string[] = [];
    const pool = new SelectPool();
    const [a, b, c] = syncs(log, ['a', 'b', 'c']);
    pool.add(B_SELECT_READ, b!);
    pool.add(B_SELECT_READ, a!);
    pool.add(B_SELECT_READ, b!);
    pool.add(B_SELECT_WRITE, c!);
    pool.notify(B_SELECT_READ);
    expect(log).toEqual([`b:${B_SELECT_READ}`, `a:${B_SELECT_READ}`]);
    pool.remove(B_SELECT_READ, b!);
    pool.add(B_SELECT_READ, b!);
    log.length = 0;
    pool.notify(B_SELECT_READ);
    pool.notify(B_SELECT_WRITE);
    expect(log).toEqual([`a:${B_SELECT_READ}`, `b:${B_SELECT_READ}`, `c:${B_SELECT_WRITE}`]);
  });

  it('tells every sync registered when the notification began, even one removed meanwhile', () => {
    const log: string[] = [];
    const pool = new SelectPool();
    const [b] = syncs(log, ['b']);
    const a: SelectSync = {
      notify(ev) {
        log.push(`a:${ev}`);
        pool.remove(B_SELECT_READ, a);
        pool.remove(B_SELECT_READ, b!);
      },
    };
    pool.add(B_SELECT_READ, a);
    pool.add(B_SELECT_READ, b!);
    pool.notify(B_SELECT_READ);
    expect(log).toEqual([`a:${B_SELECT_READ}`, `b:${B_SELECT_READ}`]);
    expect(pool.empty).toBe(true);
    log.length = 0;
    pool.notify(B_SELECT_READ);
    pool.remove(B_SELECT_WRITE, a);
    expect(log).toEqual([]);
  });
});
