import { describe, expect, it } from 'vitest';
import { ERRNO, isSysError, SysError } from '../../../kernel/abi/errno.js';

describe('SysError', () => {
  it('carries its errno, code and message, without capturing a stack', () => {
    const e = new SysError('EAGAIN', 'detail');
    expect(isSysError(e, 'EAGAIN')).toBe(true);
    expect(e.code).toBe(ERRNO.EAGAIN.code);
    expect(e.message).toBe('Operation would block (detail)');
    expect(e.stack?.split('\n')).toHaveLength(1);
  });

  it('leaves the stack trace limit of other errors as it was', () => {
    const before = Error.stackTraceLimit;
    void new SysError('EINTR');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('x').stack?.split('\n').length).toBeGreaterThan(1);
  });
});
