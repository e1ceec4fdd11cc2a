// journey -o in a real browser: Debian's headless Chromium (through playwright-core, pointed at
// /usr/bin/chromium: no browser is downloaded) opens the page with the network cut off. It must
// load with no console error and no request, show as many events as the text list of the same
// recording (the run is deterministic in virtual time, so two runs record the same events), and
// answer Step and a click with the packet's layers. Its screenshot is kept in test-artifacts/
// (UPDATE_DOCS=1 also writes docs/journey.png, the README's picture).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../bin/paths.js';
import { ensureBuilt, TUNLAB_COMMAND } from '../helpers/command.js';
import { missingTools, skipUnlessAble } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(PACKAGE_ROOT, 'test-artifacts');
const SCRIPT = (tail: string) => `openvpn --config /etc/openvpn/client.conf > /tmp/openvpn.log &
sleep 1
journey -f icmp ${tail}ping -c 1 10.10.0.10 > /dev/null
`;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-journey-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function tunlab(script: string): string {
  const r = spawnSync(process.execPath, [TUNLAB_COMMAND, '--share', scratch, '-c', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`tunlab failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

describe('the journey page in headless Chromium', () => {
  it('loads offline with no console error, counts the events of the text list, and steps through them', async (ctx) => {
    skipUnlessAble(ctx, fs.existsSync(CHROMIUM) ? missingTools({ command: 'chromium', pkg: 'chromium' }) : `${CHROMIUM} is not installed (apt install chromium)`, 'the journey page test');
    ensureBuilt();
    // Two runs of one script record the same events (virtual time): one writes the page, one the list.
    tunlab(SCRIPT('-o /host/journey.html '));
    fs.writeFileSync(path.join(scratch, 'list.txt'), tunlab(SCRIPT('').replace(' > /dev/null', '')));
    const list = fs.readFileSync(path.join(scratch, 'list.txt'), 'utf8');
    const listed = list.split('\n').filter((l) => /^\s+\d+\.\d{6} /.test(l)).length;
    expect(listed).toBeGreaterThan(50);

    const { chromium } = await import('playwright-core');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      await page.goto(`file://${path.join(scratch, 'journey.html')}`);
      await page.waitForSelector('svg .event');
      expect(Number(await page.textContent('#event-count'))).toBe(listed);
      expect(await page.locator('svg .event').count()).toBe(listed);
      expect(await page.textContent('#packet-count')).toBe('2');

      await page.click('#step');
      expect(await page.textContent('#details h2')).toMatch(/^#1 haiku syscall sendto$/);
      await page.click('#step');
      const ipLayer = await page.locator('#details h3').allTextContents();
      expect(ipLayer).toEqual(['IPv4', 'ICMP', 'bytes']);
      await page.keyboard.press('j');
      await page.keyboard.press('k');
      expect(await page.textContent('#details h2')).toBe('#1 haiku ip output');
      // A carrier's event: the envelope, and its datagram's layers down to UDP.
      await page.locator('svg .event:has(.envelope)').nth(5).click();
      expect(await page.locator('#details h3').allTextContents()).toEqual(expect.arrayContaining(['UDP', 'Payload']));

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const shot = await page.screenshot({ fullPage: false });
      fs.writeFileSync(path.join(ARTIFACTS, 'journey-page.png'), shot);
      if (process.env['UPDATE_DOCS']) fs.writeFileSync(path.join(PACKAGE_ROOT, 'docs', 'journey.png'), shot);
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);
});
