// Checking the addresses programs pass in: a wrong family is EAFNOSUPPORT, a malformed struct
// EFAULT, an address that does not parse EINVAL.

import { SysError } from '../../abi/errno.js';
import { AF_INET, type SockaddrIn } from '../../abi/socket.js';
import { parseIpv4 } from '../../abi/wire/address.js';

export function addrOf(sa: SockaddrIn | null | undefined): number {
  if (typeof sa !== 'object' || sa === null) throw new SysError('EFAULT');
  if (sa.sin_family !== AF_INET) throw new SysError('EAFNOSUPPORT');
  if (typeof sa.sin_addr !== 'string') throw new SysError('EFAULT');
  const a = parseIpv4(sa.sin_addr);
  if (a === null) throw new SysError('EINVAL');
  return a;
}
