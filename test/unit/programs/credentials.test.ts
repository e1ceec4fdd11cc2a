// Users and groups from the shell (issue 11.16): id lists the groups as coreutils id does, su takes
// util-linux su's options (-g, -G, -, -l, -s, -m/-p, -c) and words its refusals as it does, sg
// runs a command with another primary group as shadow's sg does. The root file system has Haiku's
// accounts in /etc/passwd and /etc/group.

import { describe, expect, it } from 'vitest';
import sg from '../../../userland/bin/sg.js';
import shell from '../../../userland/bin/sh.js';
import su from '../../../userland/bin/su.js';
import { install, sh, world } from './utils-helpers.js';

const PASSWD = 'user:x:0:0:user:/boot/home:/bin/sh\nbob:x:1000:1000:Bob:/tmp/bob:/bin/sh\n';
const GROUP = 'root:x:0:\nbob:x:1000:\ntun:x:100:bob\nwheel:x:10:alice,bob\nnet:x:200:\n';

function accounts() {
  const w = world([shell, su, sg]);
  install(w, '/etc/passwd', PASSWD);
  install(w, '/etc/group', GROUP);
  return w;
}

const line = (w: ReturnType<typeof world>, cmd: string) => sh(w, ['sh', '-c', cmd]);

describe('the accounts', () => {
  it("the root file system has Haiku's: user (uid 0) in group root (gid 0)", async () => {
    const w = world([shell]);
    expect(await line(w, 'cat /etc/passwd /etc/group')).toEqual({ out: 'user:x:0:0:user:/boot/home:/bin/sh\nroot:x:0:\n', status: 0 });
  });
});

describe('id', () => {
  it('lists the primary group, then the supplementary ones, as coreutils does', async () => {
    const w = accounts();
    expect(await line(w, 'id; su -G tun -G net 0 -c "id; id -G; id -Gn; id -g"')).toEqual({
      out: 'uid=0(user) gid=0(root) groups=0(root)\nuid=0(user) gid=100(tun) groups=100(tun),200(net)\n100 200\ntun net\n100\n',
      status: 0,
    });
    // The primary group is not repeated when it is also a supplementary one.
    expect(await line(w, 'su -g net -G tun 0 -c "id; id -G"')).toEqual({ out: 'uid=0(user) gid=200(net) groups=200(net),100(tun)\n200 100\n', status: 0 });
  });
  it("USER's groups are the ones /etc/group lists it in", async () => {
    const w = accounts();
    expect(await line(w, 'id bob; id -G bob; id -Gn bob')).toEqual({ out: 'uid=1000(bob) gid=1000(bob) groups=1000(bob),100(tun),10(wheel)\n1000 100 10\nbob tun wheel\n', status: 0 });
  });
  it('a name it cannot find: the number, coreutils\' message, and status 1', async () => {
    const w = accounts();
    expect(await line(w, 'su -G 7 0 -c "id; id -Gn; id -gn"; echo $?')).toEqual({
      out: 'uid=0(user) gid=7 groups=7\nid: cannot find name for group ID 7\n7\nid: cannot find name for group ID 7\n7\n1\n',
      status: 0,
    });
  });
});

describe('su', () => {
  it("runs the shell with the user's ids and groups (initgroups), and its environment", async () => {
    const w = accounts();
    expect(await line(w, 'su bob -c \'id; echo "$USER $LOGNAME $HOME $SHELL"; pwd\'')).toEqual({
      out: 'uid=1000(bob) gid=1000(bob) groups=1000(bob),10(wheel),100(tun)\nbob bob /tmp/bob /bin/sh\n/boot/home\n',
      status: 0,
    });
    // A uid without an entry (tunlab's extension): the gid of the same number, no groups beside it.
    expect(await line(w, 'su 1001 -c id')).toEqual({ out: 'uid=1001 gid=1001 groups=1001\n', status: 0 });
    // No user: root, which is Haiku's "user".
    expect(await line(w, 'su -c id')).toEqual({ out: 'uid=0(user) gid=0(root) groups=0(root)\n', status: 0 });
    // Arguments after the user go to the shell ($0, $1, ... with -c).
    expect(await line(w, 'su -c \'echo "$0 $1"\' bob a b')).toEqual({ out: 'a b\n', status: 0 });
  });
  it('-g sets the primary group, -G adds supplementary ones (the first is the primary one without -g)', async () => {
    const w = accounts();
    expect(await line(w, 'su -G tun,net bob -c id')).toEqual({ out: 'uid=1000(bob) gid=100(tun) groups=100(tun),200(net)\n', status: 0 });
    expect(await line(w, 'su -g net bob -c id')).toEqual({ out: 'uid=1000(bob) gid=200(net) groups=200(net)\n', status: 0 });
    expect(await line(w, 'su -G 300 -g 301 1000 -c "id -G"')).toEqual({ out: '301 300\n', status: 0 });
  });
  it('- (or -l) is a login: a fresh environment, in the home directory; -p keeps the environment', async () => {
    const w = accounts();
    expect(await line(w, 'su -l bob -c pwd')).toEqual({ out: 'su: warning: cannot change directory to /tmp/bob: No such file or directory\n/boot/home\n', status: 0 });
    expect(await line(w, 'mkdir /tmp/bob; X=1; export X; su - bob -c \'pwd; env\'')).toEqual({
      out: '/tmp/bob\nHOME=/tmp/bob\nSHELL=/bin/sh\nUSER=bob\nLOGNAME=bob\nPATH=/bin\n',
      status: 0,
    });
    expect(await line(w, 'HOME=/x; export HOME; su -p bob -c \'echo $HOME\'; su -m bob -c \'echo $HOME\'')).toEqual({ out: '/x\n/x\n', status: 0 });
  });
  it("refuses as util-linux su does: groups first, then root's privilege, then the user, then PAM", async () => {
    const w = accounts();
    const cases: Array<[string, string]> = [
      ['su -G nosuch bob', 'su: group nosuch does not exist\n'],
      ['su -G nosuch nobody', 'su: group nosuch does not exist\n'],
      ['su nobody -c id', 'su: user nobody does not exist\n'],
      ['su bob -c "su -G tun 0 -c id"', 'su: only root can specify alternative groups\n'],
      ['su bob -c "su -G nosuch 0"', 'su: group nosuch does not exist\n'],
      ['su bob -c "su nobody"', 'su: user nobody does not exist\n'],
      ['su bob -c "su 0 -c id"', 'su: Authentication failure\n'],
      ['su bob -c "su bob -c id"', 'su: Authentication failure\n'],
    ];
    for (const [cmd, out] of cases) expect({ cmd, ...(await line(w, cmd)) }).toEqual({ cmd, out, status: 1 });
    expect(await line(w, 'su -s /bin/nosuch bob')).toEqual({ out: 'su: failed to execute /bin/nosuch: No such file or directory\n', status: 127 });
  });
});

describe('sg', () => {
  it('root runs a command with the group as its gid, added to its groups', async () => {
    const w = accounts();
    expect(await line(w, 'sg tun -c "id; id -G"; sg net id; su -G wheel 0 -c "sg tun id"')).toEqual({
      out: 'uid=0(user) gid=100(tun) groups=100(tun)\n100\nuid=0(user) gid=200(net) groups=200(net)\nuid=0(user) gid=100(tun) groups=100(tun),10(wheel)\n',
      status: 0,
    });
    expect(await line(w, 'sg tun "exit 3"; echo $?')).toEqual({ out: '3\n', status: 0 });
  });
  it("refuses as shadow's sg does", async () => {
    const w = accounts();
    const cases: Array<[string, string]> = [
      ['sg', 'Usage: sg group [[-c] command]\n'],
      ['sg -c id', 'Usage: sg group [[-c] command]\n'],
      ['sg 100 id', 'sg: provided group is not a valid group name\n'],
      ['sg "a b" id', 'sg: provided group is not a valid group name\n'],
      ['sg nosuch id', "sg: group 'nosuch' does not exist\n"],
      ['su 1001 -c "sg tun id"', 'sg: Cannot determine your user name.\n'],
      // Not a member, and no password to give.
      ['su bob -c "sg net id"', 'Invalid password.\n'],
      // A member, but tunlab's sg is no set-user-ID program: the kernel says no, as to any user.
      ['su bob -c "sg tun id"', 'setgroups: Operation not allowed\nsetgid: Operation not allowed\n'],
    ];
    for (const [cmd, out] of cases) expect({ cmd, ...(await line(w, cmd)) }).toEqual({ cmd, out, status: 1 });
    // The user's own primary group: setgroups fails, setgid to the gid it has does not.
    expect(await line(w, 'su bob -c "sg bob id"')).toEqual({ out: 'setgroups: Operation not allowed\nuid=1000(bob) gid=1000(bob) groups=1000(bob),10(wheel),100(tun)\n', status: 0 });
  });
});
