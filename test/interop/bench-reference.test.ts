// The reference half of `npm run bench` (test/bench/reference.ts) runs: the C echo program on a
// real Linux TUN gives a rate, and two real OpenVPN 2.6 with iperf3 between two namespaces give a
// throughput. Only that they run and measure something is checked, never how fast (no timed
// tests). Skipped, saying why, without root or the tools (failing under TUNLAB_REQUIRE_INTEROP=1).

import { describe, expect, it } from 'vitest';
import { linuxTunEcho, realOpenvpnThroughput } from '../bench/reference.js';
import { skipUnlessAble } from './helpers.js';

describe('the bench references', () => {
  it('tun-echo.c echoes through a real Linux TUN in a namespace of its own', (ctx) => {
    const r = linuxTunEcho(56, 2000);
    skipUnlessAble(ctx, 'skipped' in r ? r.skipped : null, 'Linux TUN reference');
    expect('value' in r && r.value > 0).toBe(true);
  });

  it('real OpenVPN (static key, AES-256-CBC + HMAC-SHA256) carries iperf3 between two namespaces', async (ctx) => {
    const r = await realOpenvpnThroughput(1);
    skipUnlessAble(ctx, 'skipped' in r ? r.skipped : null, 'real OpenVPN reference');
    expect('value' in r && r.value > 0).toBe(true);
  }, 60_000);
});
