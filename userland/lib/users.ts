// User and group names, as getpwuid()/getgrgid() find them: /etc/passwd and /etc/group when a
// host has them, else Haiku's defaults (uid 0 is "user", gid 0 is "root"), else the number.

import { isSysError } from '../../kernel/abi/errno.js';
import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { readText } from './io.js';

export interface NameDb {
  user(uid: number): string | undefined;
  group(gid: number): string | undefined;
  uidOf(name: string): number | undefined;
  gidOfUser(uid: number): number | undefined;
  gidOf(name: string): number | undefined;
}

async function readTable(sys: Sys, path: string): Promise<string[][]> {
  let fd: number;
  try {
    fd = await sys.open(path, O_RDONLY);
  } catch (e) {
    if (isSysError(e)) return [];
    throw e;
  }
  try {
    const text = await readText(sys, fd);
    return text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch (e) {
    if (isSysError(e)) return [];
    throw e;
  } finally {
    await sys.close(fd).catch(() => 0);
  }
}

/** Haiku's built-in accounts: its single user "user" has uid 0, in group 0 "root". */
const DEFAULT_USERS: ReadonlyMap<number, string> = new Map([[0, 'user']]);
const DEFAULT_GROUPS: ReadonlyMap<number, string> = new Map([[0, 'root']]);

export async function loadNames(sys: Sys): Promise<NameDb> {
  const users = new Map<number, string>();
  const userGid = new Map<number, number>();
  const byName = new Map<string, number>();
  for (const f of await readTable(sys, '/etc/passwd')) {
    const uid = Number(f[2]);
    if (f[0] && Number.isInteger(uid)) {
      if (!users.has(uid)) users.set(uid, f[0]);
      byName.set(f[0], uid);
      const gid = Number(f[3]);
      if (Number.isInteger(gid) && !userGid.has(uid)) userGid.set(uid, gid);
    }
  }
  const groups = new Map<number, string>();
  const groupByName = new Map<string, number>();
  for (const f of await readTable(sys, '/etc/group')) {
    const gid = Number(f[2]);
    if (f[0] && Number.isInteger(gid) && !groups.has(gid)) groups.set(gid, f[0]);
    if (f[0] && Number.isInteger(gid) && !groupByName.has(f[0])) groupByName.set(f[0], gid);
  }
  const havePasswd = users.size > 0;
  const haveGroup = groups.size > 0;
  return {
    user: (uid) => (havePasswd ? users.get(uid) : DEFAULT_USERS.get(uid)),
    group: (gid) => (haveGroup ? groups.get(gid) : DEFAULT_GROUPS.get(gid)),
    uidOf: (name) => (havePasswd ? byName.get(name) : name === 'user' ? 0 : undefined),
    gidOfUser: (uid) => (havePasswd ? userGid.get(uid) : uid === 0 ? 0 : undefined),
    gidOf: (name) => (haveGroup ? groupByName.get(name) : name === 'root' ? 0 : undefined),
  };
}
