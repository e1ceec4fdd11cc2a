// iperf3's numbers and lines (units.c unit_snprintf, iperf_locale.c's report formats): transfer in
// 1024-based Bytes, bitrate in 1000-based bits, each in four significant columns.

const BYTE_UNITS: readonly string[] = ['Bytes', 'KBytes', 'MBytes', 'GBytes', 'TBytes'];
const BIT_UNITS: readonly string[] = ['bits', 'Kbits', 'Mbits', 'Gbits', 'Tbits'];

function adaptive(value: number, base: number, units: readonly string[]): string {
  let n = value;
  let i = 0;
  while (n >= base && i < units.length - 1) {
    n /= base;
    i++;
  }
  const text = n < 9.995 ? n.toFixed(2) : n < 99.95 ? n.toFixed(1) : n.toFixed(0);
  return `${text.padStart(4)} ${units[i]}`;
}

export const bytesText = (n: number) => adaptive(n, 1024, BYTE_UNITS);
export const bitsText = (bitsPerSec: number) => `${adaptive(bitsPerSec, 1000, BIT_UNITS)}/sec`;

/** C's %.2g for a loss percentage. */
export function g2(x: number): string {
  if (x === 0) return '0';
  if (x >= 100) {
    const e = Math.floor(Math.log10(x));
    return `${Number((x / 10 ** e).toPrecision(2))}e+${String(e).padStart(2, '0')}`;
  }
  return String(Number(x.toPrecision(2)));
}

const id = (n: number | 'SUM') => (n === 'SUM' ? '[SUM]' : `[${String(n).padStart(3)}]`);
const span = (a: number, b: number) => `${a.toFixed(2).padStart(6)}-${b.toFixed(2).padEnd(6)} sec`;

export const HEAD_RETR_CWND = '[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n';
export const HEAD_RETR = '[ ID] Interval           Transfer     Bitrate         Retr\n';
export const HEAD_BW = '[ ID] Interval           Transfer     Bitrate\n';
export const HEAD_UDP_SENDER = '[ ID] Interval           Transfer     Bitrate         Total Datagrams\n';
export const HEAD_UDP = '[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams\n';
export const SEPARATOR = '- - - - - - - - - - - - - - - - - - - - - - - - -\n';

export interface Line {
  id: number | 'SUM';
  start: number;
  end: number;
  bytes: number;
}

function rate(l: Line): number {
  const d = l.end - l.start;
  return d > 0 ? (l.bytes * 8) / d : 0;
}

const lead = (l: Line) => `${id(l.id)} ${span(l.start, l.end)}  ${bytesText(l.bytes)}  ${bitsText(rate(l))}`;

export const bwLine = (l: Line, tail = '') => `${lead(l)}                  ${tail}\n`;
export const retrLine = (l: Line, retr: number, tail = '') => `${lead(l)}  ${String(retr).padStart(3)}             ${tail}\n`;
export const cwndLine = (l: Line, retr: number, cwndBytes: number) => `${lead(l)}  ${String(retr).padStart(3)}   ${bytesText(cwndBytes)}       \n`;
export const udpSenderLine = (l: Line, packets: number) => `${lead(l)}  ${packets}  \n`;
export function udpLine(l: Line, jitterMs: number, lost: number, total: number, tail = ''): string {
  return `${lead(l)}  ${jitterMs.toFixed(3)} ms  ${lost}/${total} (${g2(total ? (100 * lost) / total : 0)}%)  ${tail}\n`;
}
