// A capture file that lies about its records: a caplen of 0xffffffff is refused with libpcap's
// words before anything is read for it (tcpdump -r once said "truncated dump file; tried to read
// 4294967295 captured bytes"), and the records before it are still there.

import { describe, expect, it } from 'vitest';
import { isPcapError, MAXIMUM_SNAPLEN, readPcap, writePcap } from '../../userland/lib/pcap.js';

describe('a pcap record past the maximum snapshot length', () => {
  it("is libpcap's invalid packet capture length, after the good records", () => {
    const good = writePcap({ linkType: 1 }, [{ tsNs: 0, data: new Uint8Array(60) }, { tsNs: 1e9, data: new Uint8Array(60) }]);
    for (const caplen of [0xffffffff, MAXIMUM_SNAPLEN + 1]) {
      const bad = new Uint8Array(good);
      new DataView(bad.buffer).setUint32(24 + 16 + 60 + 8, caplen, true);
      const r = readPcap(bad);
      expect(isPcapError(r) && r.message).toBe(`invalid packet capture length ${caplen}, bigger than maximum of 262144`);
      expect(isPcapError(r) && r.packets.length).toBe(1);
    }
  });
});
