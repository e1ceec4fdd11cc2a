// The dhcp-options a client has, as the lines of /etc/resolv.conf that resolvconf would write.
import { describe, expect, it } from 'vitest';
import { resolvEntries, resolvText } from '../../../userland/bin/openvpn/resolv-conf.js';

describe('dhcp-option to /etc/resolv.conf', () => {
  it('DNS makes nameserver lines, DOMAIN and DOMAIN-SEARCH one search line, in order, each once', () => {
    const e = resolvEntries([
      ['DNS', '10.8.0.1'],
      ['DOMAIN', 'corp.example'],
      ['WINS', '10.8.0.9'],
      ['DNS', '10.8.0.2'],
      ['DOMAIN-SEARCH', 'lab.example'],
      ['DNS', '10.8.0.1'],
      ['DOMAIN', ''],
    ]);
    expect(e).toEqual({ servers: ['10.8.0.1', '10.8.0.2'], search: ['corp.example', 'lab.example'] });
    expect(resolvText(e.servers, e.search)).toBe('nameserver 10.8.0.1\nnameserver 10.8.0.2\nsearch corp.example lab.example\n');
    expect(resolvText([], ['x.example'])).toBe('search x.example\n');
    expect(resolvText([], [])).toBe('');
  });
});
