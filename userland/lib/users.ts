// User and group names, as getpwuid()/getgrgid() find them: /etc/passwd and /etc/group when a
// host has them, else Haiku's defaults (uid 0 is "user", gid 0 is "root"), else the number.

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { S_ISDIR } from '../../kernel/abi/stat.js';
import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { readText } from './io.js';

export interface NameDb {
  user(uid: number): string | undefined;
  group(gid: number): string | undefined;
  uidOf(name: string): number | undefined;
  gidOfUser(uid: number): number | undefined;
  gidOf(name: string): number | undefined;
  /** getpwuid() and getpwnam(): the first entry with that uid or name. */
  passwd(uid: number): Passwd | undefined;
  passwdNamed(name: string): Passwd | undefined;
  /** getgrnam(): the first group with that name. */
  groupNamed(name: string): Group | undefined;
  /** getgrouplist(): gid first, then each group listing the user as a member, once each. */
  groupList(user: string, gid: number): number[];
}

export interface Passwd {
  name: string;
  uid: number;
  gid: number;
  dir: string;
  shell: string;
}

export interface Group {
  name: string;
  gid: number;
  members: string[];
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

/** No accounts at all (for a listing that shows no names). */
export const NO_NAMES: NameDb = {
  user: () => undefined,
  group: () => undefined,
  uidOf: () => undefined,
  gidOfUser: () => undefined,
  gidOf: () => undefined,
  passwd: () => undefined,
  passwdNamed: () => undefined,
  groupNamed: () => undefined,
  groupList: (_user, gid) => [gid],
};

/** Haiku's built-in accounts, for a host without the files: "user" has uid 0, in group 0 "root". */
const DEFAULT_PASSWD: readonly Passwd[] = [{ name: 'user', uid: 0, gid: 0, dir: '/boot/home', shell: '/bin/sh' }];
const DEFAULT_GROUP: readonly Group[] = [{ name: 'root', gid: 0, members: [] }];

/** An id as the files hold it: decimal, at most 32 bits. */
function id(field: string | undefined): number | undefined {
  return field !== undefined && /^\d{1,10}$/.test(field) && Number(field) <= 0xffff_ffff ? Number(field) : undefined;
}

export async function loadNames(sys: Sys): Promise<NameDb> {
  const passwd: Passwd[] = [];
  for (const f of await readTable(sys, '/etc/passwd')) {
    const uid = id(f[2]);
    const gid = id(f[3]);
    if (f[0] && uid !== undefined && gid !== undefined) passwd.push({ name: f[0], uid, gid, dir: f[5] ?? '', shell: f[6] ?? '' });
  }
  const groups: Group[] = [];
  for (const f of await readTable(sys, '/etc/group')) {
    const gid = id(f[2]);
    if (f[0] && gid !== undefined) groups.push({ name: f[0], gid, members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  const pw = passwd.length > 0 ? passwd : DEFAULT_PASSWD;
  const gr = groups.length > 0 ? groups : DEFAULT_GROUP;
  const byUid = (uid: number) => pw.find((e) => e.uid === uid);
  const byName = (name: string) => pw.find((e) => e.name === name);
  const groupNamed = (name: string) => gr.find((g) => g.name === name);
  return {
    user: (uid) => byUid(uid)?.name,
    group: (gid) => gr.find((g) => g.gid === gid)?.name,
    uidOf: (name) => byName(name)?.uid,
    gidOfUser: (uid) => byUid(uid)?.gid,
    gidOf: (name) => groupNamed(name)?.gid,
    passwd: byUid,
    passwdNamed: byName,
    groupNamed,
    groupList: (user, gid) => {
      const list = [gid];
      for (const g of gr) if (g.members.includes(user) && !list.includes(g.gid)) list.push(g.gid);
      return list;
    },
  };
}

/** Linux's NGROUPS_MAX: the most supplementary groups a process may have. */
export const NGROUPS_MAX = 65536;

/** A uid or gid typed by a user: decimal, below (uid_t)-1. */
function typedId(s: string): number | undefined {
  return /^\d{1,10}$/.test(s) && Number(s) < 0xffff_ffff ? Number(s) : undefined;
}

/**
 * A group by name (getgrnam), or by number (a tunlab extension to su's and sg's options: any gid,
 * named or not).
 */
export function groupId(db: NameDb, spec: string): number | undefined {
  return db.groupNamed(spec)?.gid ?? typedId(spec);
}

/**
 * A user by name (getpwnam; "root" is uid 0, Haiku's "user"), or by number: a uid with an entry
 * gets it, any other one an entry of its own (its gid the same number, the caller's home).
 */
export function userEntry(db: NameDb, spec: string, home = '/boot/home'): Passwd | undefined {
  const named = db.passwdNamed(spec) ?? (spec === 'root' ? db.passwd(0) : undefined);
  if (named) return named;
  const uid = typedId(spec);
  if (uid === undefined) return undefined;
  return db.passwd(uid) ?? { name: String(uid), uid, gid: uid, dir: home, shell: '/bin/sh' };
}

/** A shell's argv[0] for its path, as su and sg start it: the last component. */
export function shellName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

/** Why a login shell cannot start in the directory (the errno's text), or undefined when it can. */
export async function cannotEnter(sys: Sys, dir: string): Promise<string | undefined> {
  try {
    return S_ISDIR((await sys.stat(dir)).st_mode) ? undefined : strerror('ENOTDIR');
  } catch (e) {
    if (!isSysError(e)) throw e;
    return strerror(e.errno);
  }
}
