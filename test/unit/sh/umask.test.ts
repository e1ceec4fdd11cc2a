// The umask builtin, against bash 5.2's output for the same words (checked while writing these),
// and the kernel's mask behind it: what open, mkdir and a shell redirect create, inherited by
// children and subshells, an AF_UNIX socket file, and what `wg genkey` advises about.

import { describe, expect, it } from 'vitest';
import { shellRun } from '../../helpers/session.js';

describe('umask builtin', () => {
  it('shows the mask in octal, symbolically (-S), and as a command (-p); sets it from octal or symbolic clauses', async () => {
    const r = await shellRun('umask; umask -S; umask -p; umask -pS; umask 077; umask; umask -S; umask u=rwx,g=rx,o=; umask; umask a+w; umask; umask 0; umask -S; umask -S -- 027; umask; umask g-w,o=x; umask -S; umask -; umask 07777; umask');
    expect(r).toEqual({
      out: [
        '0022',
        'u=rwx,g=rx,o=rx',
        'umask 0022',
        'umask -S u=rwx,g=rx,o=rx',
        '0077',
        'u=rwx,g=,o=',
        '0027',
        // a+w: a clause is not filtered by the mask (unlike chmod's)
        '0005',
        'u=rwx,g=rwx,o=rwx',
        // -S with a mode prints the new one
        'u=rwx,g=rx,o=',
        '0027',
        'u=rwx,g=rx,o=x',
        // "-" alone is a clause that changes nothing; 07777 is taken and cut to 0777 by the kernel
        '0777',
        '',
      ].join('\n'),
      err: '',
      status: 0,
    });
  });

  it("refuses bad input with bash's messages and statuses, and leaves the mask as it was", async () => {
    const words = ['8', '1a', '777777', 'abc', 'u', 'u=rwx,', 'u=rwX', '-- -1', '-x', '-022'];
    const r = await shellRun(words.map((w) => `umask ${w}; echo $?`).join('; ') + '; umask');
    expect(r.out).toBe('1\n1\n1\n1\n1\n1\n1\n1\n2\n2\n0022\n');
    expect(r.err).toBe(
      [
        'sh: line 1: umask: 8: octal number out of range',
        'sh: line 1: umask: 1a: octal number out of range',
        'sh: line 1: umask: 777777: octal number out of range',
        "sh: line 1: umask: `b': invalid symbolic mode operator",
        // bash writes the NUL it found at the end of the word
        "sh: line 1: umask: `\0': invalid symbolic mode operator",
        "sh: line 1: umask: `\0': invalid symbolic mode operator",
        "sh: line 1: umask: `X': invalid symbolic mode character",
        "sh: line 1: umask: `1': invalid symbolic mode character",
        'sh: line 1: umask: -x: invalid option',
        'umask: usage: umask [-p] [-S] [mode]',
        'sh: line 1: umask: -0: invalid option',
        'umask: usage: umask [-p] [-S] [mode]',
        '',
      ].join('\n'),
    );
  });
});

describe('the kernel applies the mask', () => {
  it('to what open(O_CREAT) and mkdir create: redirects, touch, mkdir; children and subshells inherit it, a subshell keeps its own', async () => {
    const r = await shellRun(
      'cd /tmp; umask 077; echo x > f; touch g; mkdir d; umask 0; echo y > h; mkdir e; umask 027; touch i; ls -ld f g d h e i | cut -c1-10; sh -c umask; (umask 0; umask); umask',
    );
    // ls lists d e f g h i
    expect(r).toEqual({ out: 'drwx------\ndrwxrwxrwx\n-rw-------\n-rw-------\n-rw-rw-rw-\n-rw-r-----\n0027\n0000\n0027\n', err: '', status: 0 });
  });

  it("to the socket file an AF_UNIX bind makes: wireguard-go's UAPI socket, bound under its own umask of 077", async () => {
    const r = await shellRun('umask 0; wireguard-go wg0; ls -l /var/run/wireguard | cut -c1-10; umask');
    expect(r).toEqual({ out: 'total 0\nsrwx------\n0000\n', err: '', status: 0 });
  });

  it("wg genkey warns about a world-readable key file under the default mask, and not under 077 (its advice)", async () => {
    const r = await shellRun('cd /tmp; wg genkey > a; umask 077; wg genkey > b; ls -l a b | cut -c1-10');
    expect(r.err).toBe('Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n');
    expect(r.out).toBe('-rw-r--r--\n-rw-------\n');
    expect(r.status).toBe(0);
  });
});
