// Credentials with Linux's rules (one id of each kind: real = effective = saved): root may set any
// uid, gid and supplementary groups; anyone else may only keep what it has. Supplementary groups
// give a file's group permissions, and spawn may hand them to a child (root only).

import { describe, expect, it } from 'vitest';
import { O_RDONLY } from '../../../kernel/abi/fcntl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { errnoOf, probe } from '../../helpers/probe.js';

describe('setuid, setgid, setgroups, getgroups', () => {
  it('root sets any of them (the groups sorted, as Linux keeps them); once it is someone else, only its own ids', async () => {
    const { lines } = await probe(async (sys, note) => {
      note(`groups ${JSON.stringify(await sys.getgroups())}`);
      note(`setgroups ${await errnoOf(sys.setgroups([20, 10, 20]))} -> ${JSON.stringify(await sys.getgroups())}`);
      note(`setgid 5 ${await errnoOf(sys.setgid(5))} -> gid ${sys.getgid()}`);
      note(`setuid 1000 ${await errnoOf(sys.setuid(1000))} -> uid ${sys.getuid()}`);
      note(`setuid 0 ${await errnoOf(sys.setuid(0))}, setuid 1000 ${await errnoOf(sys.setuid(1000))}`);
      note(`setgid 6 ${await errnoOf(sys.setgid(6))}, setgid 5 ${await errnoOf(sys.setgid(5))}`);
      note(`setgroups ${await errnoOf(sys.setgroups([]))} -> ${JSON.stringify(await sys.getgroups())}`);
    });
    expect(lines).toEqual([
      'groups []',
      'setgroups 0 -> [10,20,20]',
      'setgid 5 0 -> gid 5',
      'setuid 1000 0 -> uid 1000',
      'setuid 0 EPERM, setuid 1000 0',
      'setgid 6 EPERM, setgid 5 0',
      'setgroups EPERM -> [10,20,20]',
    ]);
  });

  it('ids past 32 bits, (uid_t)-1 and more than NGROUPS_MAX groups are EINVAL', async () => {
    const { lines } = await probe(async (sys, note) => {
      note(`${await errnoOf(sys.setuid(-1))} ${await errnoOf(sys.setuid(2 ** 32 - 1))} ${await errnoOf(sys.setgid(2 ** 40))} ${await errnoOf(sys.setgroups([1, 2 ** 32]))}`);
      note(`${await errnoOf(sys.setgroups(Array.from({ length: 65537 }, (_, i) => i)))} ${await errnoOf(sys.setgroups(Array.from({ length: 65536 }, (_, i) => i)))}`);
    });
    expect(lines).toEqual(['EINVAL EINVAL EINVAL EINVAL', 'EINVAL 0']);
  });
});

describe('spawn and groups', () => {
  const show = (note: (l: string) => void) =>
    defineProgram({
      name: 'show',
      summary: '',
      async main(_a, sys) {
        note(`uid ${sys.getuid()} gid ${sys.getgid()} groups ${JSON.stringify(await sys.getgroups())}`);
      },
    });

  it("a child inherits the caller's groups, or root gives it others; anyone else may not", async () => {
    const { lines } = await probe(
      async (sys, note) => {
        await sys.setgroups([7]);
        await sys.waitpid(await sys.spawn('/bin/show', ['show']));
        await sys.waitpid(await sys.spawn('/bin/show', ['show'], { uid: 1000, gid: 1000, groups: [101, 100] }));
        await sys.waitpid(await sys.spawn('/bin/show', ['show'], { uid: 1000, gid: 1000 }));
        await sys.setuid(1000);
        note(`as 1000: ${await errnoOf(sys.spawn('/bin/show', ['show'], { groups: [] }))}`);
      },
      { programs: (note) => [show(note)] },
    );
    expect(lines).toEqual(['uid 0 gid 0 groups [7]', 'uid 1000 gid 1000 groups [100,101]', 'uid 1000 gid 1000 groups [7]', 'as 1000: EPERM']);
  });
});

describe('file permissions', () => {
  it("a file's group bits apply to a supplementary group of the caller", async () => {
    const { lines } = await probe(
      async (sys) => {
        await sys.waitpid(await sys.spawn('/bin/reader', ['reader'], { uid: 1000, gid: 1000, groups: [50] }));
        await sys.waitpid(await sys.spawn('/bin/reader', ['reader'], { uid: 1000, gid: 1000, groups: [51] }));
      },
      {
        programs: (note) => [
          defineProgram({
            name: 'reader',
            summary: '',
            async main(_a, sys) {
              note(`groups ${JSON.stringify(await sys.getgroups())}: open ${await errnoOf(sys.open('/tmp/club', O_RDONLY))}`);
            },
          }),
        ],
        // Owned by root, group 50, mode 0640 (tunlab has no chown: the kernel puts it there).
        setup: (k) => k.root.install('tmp/club', 'members only\n', 0o640, 0, 50),
      },
    );
    expect(lines).toEqual(['groups [50]: open 3', 'groups [51]: open EACCES']);
  });
});
