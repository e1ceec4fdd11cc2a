// umask(2) through syscalls: the old mask back, only the 0777 bits kept, and the mask taken off
// the mode of what open(O_CREAT), mkdir and an AF_UNIX bind create (as Linux's do); a child
// starts with its parent's mask and execve keeps it. Before umask existed, the kernel created
// with the mode it was given and the utilities took 022 off themselves.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { O_CREAT, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import { AF_UNIX, SOCK_STREAM, sockaddrUn } from '../../../kernel/abi/socket.js';
import { errnoOf, probe } from '../../helpers/probe.js';

describe('umask', () => {
  it('returns the old mask, keeps 0777 of the new one, and refuses a mask that is no integer', async () => {
    const { lines } = await probe(async (sys, note) => {
      note(`first: 0${(await sys.umask(0o077)).toString(8)}`);
      note(`then: 0${(await sys.umask(0o7777)).toString(8)}`);
      note(`kept: 0${(await sys.umask(0o022)).toString(8)}`);
      note(`bad: ${await errnoOf(sys.umask('022' as unknown as number))}`);
      note(`fraction: ${await errnoOf(sys.umask(1.5))}`);
    });
    expect(lines).toEqual(['first: 022', 'then: 077', 'kept: 0777', 'bad: EINVAL', 'fraction: EINVAL']);
  });

  it('is taken off the modes open(O_CREAT), mkdir and bind create with', async () => {
    const { lines } = await probe(async (sys, note) => {
      await sys.umask(0o027);
      await sys.close(await sys.open('/tmp/f', O_WRONLY | O_CREAT, 0o666));
      await sys.mkdir('/tmp/d', 0o777);
      const s = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.bind(s, sockaddrUn('/tmp/s.sock'));
      for (const p of ['/tmp/f', '/tmp/d', '/tmp/s.sock']) note(`${p} 0${((await sys.stat(p)).st_mode & 0o7777).toString(8)}`);
      // An existing file keeps its mode: the mask is for creating.
      await sys.umask(0o777);
      await sys.close(await sys.open('/tmp/f', O_WRONLY | O_CREAT, 0o666));
      note(`again 0${((await sys.stat('/tmp/f')).st_mode & 0o7777).toString(8)}`);
    });
    expect(lines).toEqual(['/tmp/f 0640', '/tmp/d 0750', '/tmp/s.sock 0750', 'again 0640']);
  });

  it('mkdir keeps only the permission and sticky bits of its mode, as vfs_mkdir does', async () => {
    const { lines } = await probe(async (sys, note) => {
      await sys.umask(0);
      await sys.mkdir('/tmp/all', 0o7777);
      await sys.mkdir('/tmp/high', 0o177777);
      for (const p of ['/tmp/all', '/tmp/high']) note(`${p} 0${((await sys.stat(p)).st_mode & 0o7777).toString(8)}`);
    });
    expect(lines).toEqual(['/tmp/all 01777', '/tmp/high 01777']);
  });

  it("a child starts with its parent's mask, and execve keeps it", async () => {
    const { lines } = await probe(
      async (sys) => {
        await sys.umask(0o007);
        await sys.waitpid(await sys.spawn('/bin/child', ['child']));
      },
      {
        programs: (note) => [
          defineProgram({
            name: 'child',
            summary: 'notes its mask, then execs',
            main: async (_argv, sys) => {
              note(`child 0${(await sys.umask(0o070)).toString(8)}`);
              await sys.execve('/bin/after', ['after']);
            },
          }),
          defineProgram({ name: 'after', summary: 'notes its mask', main: async (_argv, sys) => void note(`after exec 0${(await sys.umask(0)).toString(8)}`) }),
        ],
      },
    );
    expect(lines).toEqual(['child 07', 'after exec 070']);
  });
});
