import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AES_128_CBC, AES_192_CBC, AES_256_CBC, SHA1, SHA256, SHA512 } from '../../../userland/bin/openvpn/algorithms.js';
import {
  OCC_MAGIC,
  PING_MAGIC,
  buildOccExit,
  buildOccMtuLoad,
  buildOccMtuLoadRequest,
  buildOccMtuReply,
  buildOccMtuRequest,
  buildOccReply,
  buildOccRequest,
  buildPing,
  classifyPayload,
  occLinkMtu,
  occOptionsString,
  occReplyWarnings,
  type OccOptions,
} from '../../../userland/bin/openvpn/messages.js';
import { hex, numRuns, toHex } from './helpers.js';

describe('ping and OCC magic', () => {
  it('has the bytes OpenVPN uses', () => {
    expect(toHex(PING_MAGIC)).toBe('2a187bf3641eb4cb07ed2d0a981fc748');
    expect(toHex(OCC_MAGIC)).toBe('287f346bd4ef7a812d56b8d3afc5459c');
    expect(toHex(buildOccRequest())).toBe('287f346bd4ef7a812d56b8d3afc5459c00');
  });

  it('classifies a ping only when it is exactly the magic', () => {
    expect(classifyPayload(buildPing())).toEqual({ kind: 'ping' });
    const longer = new Uint8Array([...PING_MAGIC, 0]);
    expect(classifyPayload(longer)).toEqual({ kind: 'data', payload: longer });
    const ip = hex('4500001c0000000040010000c0a80001c0a80002');
    expect(classifyPayload(ip)).toEqual({ kind: 'data', payload: ip });
  });

  it('decodes every OCC message it can build', () => {
    const occ = (b: Uint8Array) => {
      const c = classifyPayload(b);
      if (c.kind !== 'occ') throw new Error(`not OCC: ${c.kind}`);
      return c.message;
    };
    expect(occ(buildOccRequest())).toEqual({ opcode: 0, name: 'OCC_REQUEST' });
    expect(occ(buildOccReply('V4,dev-type null'))).toEqual({ opcode: 1, name: 'OCC_REPLY', options: 'V4,dev-type null', terminated: true });
    expect(occ(buildOccMtuLoadRequest(1400))).toEqual({ opcode: 2, name: 'OCC_MTU_LOAD_REQUEST', size: 1400 });
    expect(occ(buildOccMtuLoad(new Uint8Array(100)))).toEqual({ opcode: 3, name: 'OCC_MTU_LOAD', fillLength: 100 });
    expect(occ(buildOccMtuRequest())).toEqual({ opcode: 4, name: 'OCC_MTU_REQUEST' });
    expect(occ(buildOccMtuReply(1500, 1400))).toEqual({ opcode: 5, name: 'OCC_MTU_REPLY', maxRecv: 1500, maxSend: 1400 });
    expect(occ(buildOccExit())).toEqual({ opcode: 6, name: 'OCC_EXIT' });
    expect(toHex(buildOccMtuReply(1500, 1400))).toBe(`${toHex(OCC_MAGIC)}0505dc0578`);
  });

  it('reads damaged OCC messages the way OpenVPN does', () => {
    const occ = (tail: string) => {
      const c = classifyPayload(new Uint8Array([...OCC_MAGIC, ...hex(tail)]));
      return c.kind === 'occ' ? c.message : null;
    };
    expect(occ('')).toEqual({ opcode: null, name: 'OCC_UNKNOWN' });
    expect(occ('09')).toEqual({ opcode: 9, name: 'OCC_UNKNOWN' });
    // No NUL: OpenVPN overwrites the last byte with one (2.6.14 warned about 'secre').
    expect(occ('01' + toHex(new TextEncoder().encode('V4,secret')))).toEqual({
      opcode: 1,
      name: 'OCC_REPLY',
      options: 'V4,secre',
      terminated: false,
    });
    expect(occ('01')).toEqual({ opcode: 1, name: 'OCC_REPLY', options: '', terminated: false });
    expect(occ('0205')).toEqual({ opcode: 2, name: 'OCC_MTU_LOAD_REQUEST', size: undefined });
    expect(occ('0505dc05')).toEqual({ opcode: 5, name: 'OCC_MTU_REPLY', maxRecv: 1500, maxSend: undefined });
  });

  it('never throws on any payload', () => {
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ maxLength: 40 }).map((b) => new Uint8Array([...OCC_MAGIC, ...b])),
    );
    fc.assert(
      fc.property(arb, (b) => {
        expect(['ping', 'occ', 'data']).toContain(classifyPayload(b).kind);
      }),
      { numRuns },
    );
  });
});

describe('OCC options string', () => {
  const base: OccOptions = { devType: 'null', cipher: AES_128_CBC, auth: SHA1, keyDirection: 1 };
  const tail = 'keydir 1,cipher AES-128-CBC,auth SHA1,keysize 128,secret';
  const tailRemote = 'keydir 0,cipher AES-128-CBC,auth SHA1,keysize 128,secret';

  it('derives link-mtu from tun-mtu, device and crypto overhead', () => {
    expect(occLinkMtu({ devType: 'null', cipher: AES_256_CBC, auth: SHA256 })).toBe(1572);
    expect(occLinkMtu({ devType: 'tun', cipher: AES_256_CBC, auth: SHA1 })).toBe(1560);
    expect(occLinkMtu({ devType: 'null', cipher: AES_192_CBC, auth: SHA512 })).toBe(1604);
    expect(occLinkMtu({ devType: 'tap', cipher: AES_128_CBC, auth: SHA1 })).toBe(1592);
    expect(occLinkMtu({ devType: 'null', cipher: AES_128_CBC, auth: SHA1, tunMtu: 1400 })).toBe(1460);
    expect(occLinkMtu({ devType: 'null', cipher: AES_128_CBC, auth: SHA1, proto: 'tcp-server' })).toBe(1562);
  });

  // Each expected string is the "Local Options String" / "Expected Remote Options String" that
  // openvpn 2.6.14 --verb 7 printed for the same options.
  it('matches what OpenVPN 2.6.14 builds', () => {
    const both = (o: Omit<OccOptions, 'remote'>) => [occOptionsString(o), occOptionsString({ ...o, remote: true })];
    expect(both(base)).toEqual([
      `V4,dev-type null,link-mtu 1560,tun-mtu 1500,proto UDPv4,${tail}`,
      `V4,dev-type null,link-mtu 1560,tun-mtu 1500,proto UDPv4,${tailRemote}`,
    ]);
    expect(both({ ...base, devType: 'tap' })).toEqual([
      `V4,dev-type tap,link-mtu 1592,tun-mtu 1500,proto UDPv4,${tail}`,
      `V4,dev-type tap,link-mtu 1592,tun-mtu 1500,proto UDPv4,${tailRemote}`,
    ]);
    expect(both({ ...base, devType: 'tun', ifconfig: { local: '10.8.0.1', remote: '10.8.0.2' } })).toEqual([
      `V4,dev-type tun,link-mtu 1560,tun-mtu 1500,proto UDPv4,ifconfig 10.8.0.2 10.8.0.1,${tail}`,
      `V4,dev-type tun,link-mtu 1560,tun-mtu 1500,proto UDPv4,ifconfig 10.8.0.1 10.8.0.2,${tailRemote}`,
    ]);
    expect(occOptionsString({ ...base, devType: 'tap', ifconfig: { local: '10.8.0.1', remote: '255.255.255.0' } })).toBe(
      `V4,dev-type tap,link-mtu 1592,tun-mtu 1500,proto UDPv4,ifconfig 10.8.0.0 255.255.255.0,${tail}`,
    );
    expect(
      occOptionsString({ ...base, devType: 'tun', topology: 'subnet', ifconfig: { local: '10.8.0.1', remote: '255.255.255.0' } }),
    ).toBe(`V4,dev-type tun,link-mtu 1560,tun-mtu 1500,proto UDPv4,ifconfig 10.8.0.0 255.255.255.0,${tail}`);
    expect(occOptionsString({ ...base, tunMtu: 1400 })).toBe(`V4,dev-type null,link-mtu 1460,tun-mtu 1400,proto UDPv4,${tail}`);
    expect(both({ ...base, proto: 'tcp-server' })).toEqual([
      `V4,dev-type null,link-mtu 1562,tun-mtu 1500,proto TCPv4_SERVER,${tail}`,
      `V4,dev-type null,link-mtu 1562,tun-mtu 1500,proto TCPv4_CLIENT,${tailRemote}`,
    ]);
    expect(occOptionsString({ ...base, devType: 'tun', ifconfigIpv6: true })).toBe(
      `V4,dev-type tun,link-mtu 1560,tun-mtu 1500,proto UDPv4,tun-ipv6,${tail}`,
    );
    expect(occOptionsString({ ...base, cipher: AES_192_CBC, auth: SHA512 })).toBe(
      'V4,dev-type null,link-mtu 1604,tun-mtu 1500,proto UDPv4,keydir 1,cipher AES-192-CBC,auth SHA512,keysize 192,secret',
    );
    expect(occOptionsString({ devType: 'null', cipher: AES_256_CBC, auth: SHA256, keyDirection: undefined })).toBe(
      'V4,dev-type null,link-mtu 1572,tun-mtu 1500,proto UDPv4,cipher AES-256-CBC,auth SHA256,keysize 256,secret',
    );
    // The reference's tun peer: --ifconfig L R, direction 0.
    expect(
      occOptionsString({ devType: 'tun', cipher: AES_256_CBC, auth: SHA256, keyDirection: 0, ifconfig: { local: 'L', remote: 'R' } }),
    ).toBe('V4,dev-type tun,link-mtu 1572,tun-mtu 1500,proto UDPv4,ifconfig R L,keydir 0,cipher AES-256-CBC,auth SHA256,keysize 256,secret');
  });

  it('round-trips through OCC_REPLY', () => {
    const s = occOptionsString(base);
    const c = classifyPayload(buildOccReply(s));
    expect(c).toEqual({ kind: 'occ', message: { opcode: 1, name: 'OCC_REPLY', options: s, terminated: true } });
    expect(() => buildOccReply('caf\u00e9')).toThrow(RangeError);
  });
});

describe('OCC_REPLY mismatch warnings', () => {
  const expected = 'V4,dev-type null,link-mtu 1572,tun-mtu 1500,proto UDPv4,keydir 0,cipher AES-256-CBC,auth SHA256,keysize 256,secret';

  it('is silent when the strings match', () => {
    expect(occReplyWarnings(expected, expected)).toEqual([]);
  });

  // Sent to a real 2.6.14 (--secret k 1, AES-256-CBC, SHA256, --verb 7); these are its lines.
  it('words differences like OpenVPN 2.6.14', () => {
    expect(
      occReplyWarnings(
        expected,
        'V4,dev-type tun,link-mtu 1500,tun-mtu 1500,proto UDPv4,keydir 1,cipher AES-128-CBC,auth SHA256,keysize 256,extra x,,secret',
      ),
    ).toEqual([
      "WARNING: 'dev-type' is used inconsistently, local='dev-type null', remote='dev-type tun'",
      "WARNING: 'link-mtu' is used inconsistently, local='link-mtu 1572', remote='link-mtu 1500'",
      "WARNING: 'extra' is present in remote config but missing in local config, remote='extra x'",
    ]);
    expect(occReplyWarnings(expected, 'V5,foo')).toEqual([
      'NOTE: Options consistency check may be skewed by version differences',
      "WARNING: 'version' is used inconsistently, local='version V4', remote='version V5'",
      "WARNING: 'dev-type' is present in local config but missing in remote config, local='dev-type null'",
      "WARNING: 'link-mtu' is present in local config but missing in remote config, local='link-mtu 1572'",
      "WARNING: 'tun-mtu' is present in local config but missing in remote config, local='tun-mtu 1500'",
      "WARNING: 'auth' is present in local config but missing in remote config, local='auth SHA256'",
      "WARNING: 'keysize' is present in local config but missing in remote config, local='keysize 256'",
      "WARNING: 'secret' is present in local config but missing in remote config, local='secret'",
      "WARNING: 'foo' is present in remote config but missing in local config, remote='foo'",
    ]);
    expect(occReplyWarnings(expected, expected.slice(0, -1))).toEqual([
      "WARNING: 'secret' is present in local config but missing in remote config, local='secret'",
      "WARNING: 'secre' is present in remote config but missing in local config, remote='secre'",
    ]);
  });
});
