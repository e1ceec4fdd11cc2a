// Redirections, prepared once and applied two ways: as posix_spawn file actions for a child, or
// in the shell's own fd table around a builtin, with the old fds saved and put back afterwards.

import { isSysError } from '../../../kernel/abi/errno.js';
import {
  F_DUPFD,
  F_SETFD,
  FD_CLOEXEC,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from '../../../kernel/abi/fcntl.js';
import type { FileAction, Sys } from '../../../kernel/abi/syscalls.js';
import type { Redirection } from '../index.js';
import { writeAll } from '../../lib/io.js';
import { ShellError } from './control.js';

/** Saved fds live at 10 and above, out of the way of the fds scripts use. */
const SAVE_MIN = 10;
/** Here-document text up to this size goes through a pipe; more goes through a temporary file. */
const PIPE_HEREDOC_MAX = 60_000;

export interface Prepared {
  actions: FileAction[];
  /** Fds the shell opened for this command (close-on-exec): closed once it has started or ended. */
  opened: number[];
}

export interface RedirectHost {
  sys: Sys;
  /** Expand a redirection target: exactly one field, or "ambiguous redirect". */
  expandTarget(word: Redirection & { kind: 'Redirect' }): Promise<string>;
  /** Expand a here-document body (unless quoted). */
  expandHereDoc(r: Redirection & { kind: 'HereDoc' }): Promise<string>;
  expandHereString(r: Redirection & { kind: 'Redirect' }): Promise<string>;
  tempName(): string;
}

async function cloexec(sys: Sys, fd: number): Promise<number> {
  await sys.fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

/** Text on an fd the command will read: a pipe filled now, or a temporary file for a lot of it. */
async function textFd(h: RedirectHost, text: string): Promise<number> {
  const sys = h.sys;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= PIPE_HEREDOC_MAX) {
    const [r, w] = await sys.pipe();
    await writeAll(sys, w, bytes);
    await sys.close(w);
    return cloexec(sys, r);
  }
  const name = h.tempName();
  const w = await sys.open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600);
  await writeAll(sys, w, bytes);
  await sys.close(w);
  const r = await sys.open(name, O_RDONLY | O_CLOEXEC);
  // Gone from the directory, still readable through the fd, as a shell's here-doc file is.
  await sys.unlink(name);
  return r;
}

/**
 * An fd the shell opened must not be one that a redirection of the same command targets:
 * `exec 3>f` opens f at 3 when 3 is free, and closing the opened fd once the actions are applied
 * would then close the redirected fd itself. Such an fd moves out of the way, above 10.
 */
async function clearOf(sys: Sys, fd: number, targets: ReadonlySet<number>): Promise<number> {
  if (!targets.has(fd)) return fd;
  try {
    return await cloexec(sys, await sys.fcntl(fd, F_DUPFD, SAVE_MIN));
  } finally {
    await sys.close(fd);
  }
}

export async function prepareRedirects(h: RedirectHost, redirects: readonly Redirection[]): Promise<Prepared> {
  const sys = h.sys;
  const out: Prepared = { actions: [], opened: [] };
  const targets = new Set(redirects.flatMap((r) => (r.kind === 'Redirect' && (r.op === '&>' || r.op === '&>>' || r.op === '>&') ? [r.fd, 1, 2] : [r.fd])));
  try {
    for (const r of redirects) {
      if (r.kind === 'HereDoc') {
        const fd = await clearOf(sys, await textFd(h, await h.expandHereDoc(r)), targets);
        out.opened.push(fd);
        out.actions.push({ dup2: [fd, r.fd] });
        continue;
      }
      if (r.op === '<<<') {
        const fd = await clearOf(sys, await textFd(h, (await h.expandHereString(r)) + '\n'), targets);
        out.opened.push(fd);
        out.actions.push({ dup2: [fd, r.fd] });
        continue;
      }
      const target = await h.expandTarget(r);
      if (r.op === '<&' || r.op === '>&') {
        if (target === '-') {
          out.actions.push({ close: r.fd });
          continue;
        }
        if (/^\d+$/.test(target)) {
          out.actions.push({ dup2: [Number(target), r.fd] });
          continue;
        }
        if (r.op === '<&' || r.explicitFd) throw new ShellError(`${target}: ambiguous redirect`);
      }
      const both = r.op === '&>' || r.op === '&>>' || r.op === '>&';
      const flags =
        r.op === '<'
          ? O_RDONLY
          : r.op === '<>'
            ? O_RDWR | O_CREAT
            : r.op === '>>' || r.op === '&>>'
              ? O_WRONLY | O_CREAT | O_APPEND
              : O_WRONLY | O_CREAT | O_TRUNC;
      let fd: number;
      try {
        // 0666 as bash: the kernel takes the umask off.
        fd = await sys.open(target, flags | O_CLOEXEC, 0o666);
      } catch (e) {
        if (isSysError(e)) throw new ShellError(`${target}: ${e.message}`);
        throw e;
      }
      fd = await clearOf(sys, fd, targets);
      out.opened.push(fd);
      out.actions.push({ dup2: [fd, both ? 1 : r.fd] });
      if (both) out.actions.push({ dup2: [1, 2] });
    }
  } catch (e) {
    await closeAll(sys, out.opened);
    throw e;
  }
  return out;
}

export async function closeAll(sys: Sys, fds: readonly number[]): Promise<void> {
  for (const fd of fds) await sys.close(fd).catch(() => {});
}

/**
 * Apply file actions to the shell itself, for a builtin; returns the undo. Every fd an action
 * replaces is first saved above 10, close-on-exec. `exec`'s redirections are `permanent`: nothing
 * is saved, since nothing will be put back (saved copies would stay open for good, one more for
 * each `exec 3>f` in a loop until the fd table is full).
 */
export async function applyInPlace(sys: Sys, actions: readonly FileAction[], permanent = false): Promise<() => Promise<void>> {
  const saved = new Map<number, number | null>();
  const save = async (fd: number) => {
    if (permanent || saved.has(fd)) return;
    try {
      const copy = await sys.fcntl(fd, F_DUPFD, SAVE_MIN);
      await sys.fcntl(copy, F_SETFD, FD_CLOEXEC);
      saved.set(fd, copy);
    } catch (e) {
      // No fd left to save it in: bash's words.
      if (isSysError(e, 'EMFILE')) throw new ShellError(`redirection error: cannot duplicate fd: ${e.message}`);
      if (!isSysError(e, 'EBADF')) throw e;
      saved.set(fd, null);
    }
  };
  const undo = async () => {
    for (const [fd, copy] of [...saved].reverse()) {
      if (copy === null) await sys.close(fd).catch(() => {});
      else {
        await sys.dup2(copy, fd);
        await sys.close(copy);
      }
    }
  };
  try {
    for (const a of actions) {
      if ('dup2' in a) {
        const [from, to] = a.dup2;
        await save(to);
        try {
          await sys.dup2(from, to);
        } catch (e) {
          if (isSysError(e, 'EBADF')) throw new ShellError(`${from}: Bad file descriptor`);
          throw e;
        }
      } else {
        await save(a.close);
        await sys.close(a.close).catch(() => {});
      }
    }
  } catch (e) {
    await undo();
    throw e;
  }
  return undo;
}
