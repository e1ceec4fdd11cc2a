// strftime() for UTC times given in nanoseconds since the epoch, with GNU date's conversions and
// its padding flags (- _ 0 ^). tunlab has no time zones: every host keeps UTC.

const DAYS: readonly string[] = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS: readonly string[] = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export interface Tm {
  year: number;
  mon: number; // 0-11
  mday: number;
  hour: number;
  min: number;
  sec: number;
  wday: number; // 0 = Sunday
  yday: number; // 0-365
  ns: number; // 0-999 999 999
  epochSec: number;
}

export function gmtime(ns: number): Tm {
  const ms = Math.floor(ns / 1e6);
  const d = new Date(ms);
  const jan1 = Date.UTC(d.getUTCFullYear(), 0, 1);
  const epochSec = Math.floor(ns / 1e9);
  return {
    year: d.getUTCFullYear(),
    mon: d.getUTCMonth(),
    mday: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    wday: d.getUTCDay(),
    yday: Math.floor((ms - jan1) / 86_400_000),
    ns: ns - epochSec * 1e9,
    epochSec,
  };
}

/** ISO 8601 week-based year and week number. */
function isoWeek(t: Tm): { year: number; week: number } {
  const wdayMon = (t.wday + 6) % 7; // Monday = 0
  const thursday = Date.UTC(t.year, t.mon, t.mday) + (3 - wdayMon) * 86_400_000;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return { year, week };
}

type Conv = { text: string; numeric: boolean; width: number; pad: '0' | ' ' };

function num(n: number, width: number, pad: '0' | ' ' = '0'): Conv {
  return { text: String(n), numeric: true, width, pad };
}
function str(s: string): Conv {
  return { text: s, numeric: false, width: 0, pad: ' ' };
}

function convert(c: string, t: Tm, colons: number): Conv | null {
  switch (c) {
    case 'a': return str(DAYS[t.wday]!.slice(0, 3));
    case 'A': return str(DAYS[t.wday]!);
    case 'b': case 'h': return str(MONTHS[t.mon]!.slice(0, 3));
    case 'B': return str(MONTHS[t.mon]!);
    case 'c': return str(strftime('%a %b %e %H:%M:%S %Y', t));
    case 'C': return num(Math.floor(t.year / 100), 2);
    case 'd': return num(t.mday, 2);
    case 'D': return str(strftime('%m/%d/%y', t));
    case 'e': return num(t.mday, 2, ' ');
    case 'F': return str(strftime('%Y-%m-%d', t));
    case 'g': return num(isoWeek(t).year % 100, 2);
    case 'G': return num(isoWeek(t).year, 4);
    case 'H': return num(t.hour, 2);
    case 'I': return num(t.hour % 12 || 12, 2);
    case 'j': return num(t.yday + 1, 3);
    case 'k': return num(t.hour, 2, ' ');
    case 'l': return num(t.hour % 12 || 12, 2, ' ');
    case 'm': return num(t.mon + 1, 2);
    case 'M': return num(t.min, 2);
    case 'n': return str('\n');
    case 'N': return num(t.ns, 9);
    case 'p': return str(t.hour < 12 ? 'AM' : 'PM');
    case 'P': return str(t.hour < 12 ? 'am' : 'pm');
    case 'r': return str(strftime('%I:%M:%S %p', t));
    case 'R': return str(strftime('%H:%M', t));
    case 's': return num(t.epochSec, 1);
    case 'S': return num(t.sec, 2);
    case 't': return str('\t');
    case 'T': return str(strftime('%H:%M:%S', t));
    case 'u': return num(t.wday || 7, 1);
    case 'U': return num(Math.floor((t.yday + 7 - t.wday) / 7), 2);
    case 'V': return num(isoWeek(t).week, 2);
    case 'w': return num(t.wday, 1);
    case 'W': return num(Math.floor((t.yday + 7 - ((t.wday + 6) % 7)) / 7), 2);
    case 'x': return str(strftime('%m/%d/%y', t));
    case 'X': return str(strftime('%H:%M:%S', t));
    case 'y': return num(t.year % 100, 2);
    case 'Y': return num(t.year, 1);
    case 'z': return str(['+0000', '+00:00', '+00:00:00', '+00'][colons] ?? '+0000');
    case 'Z': return str('UTC');
    case '%': return str('%');
    default: return null;
  }
}

/** Format a time (a Tm, or nanoseconds since the epoch) as GNU strftime does, in UTC. */
export function strftime(fmt: string, time: Tm | number): string {
  const t = typeof time === 'number' ? gmtime(time) : time;
  let out = '';
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i]!;
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    const m = /^%([-_0^#]*)(\d*)(:{0,3})([A-Za-z%])/.exec(fmt.slice(i));
    const conv = m ? convert(m[4]!, t, m[3]!.length) : null;
    if (!m || !conv || (m[3] && m[4] !== 'z')) {
      // An unknown conversion is copied as it is, as GNU date does.
      const end = m ? m[0].length : 1;
      out += fmt.slice(i, i + end);
      i += end;
      continue;
    }
    i += m[0].length;
    const flags = m[1]!;
    let text = conv.text;
    if (flags.includes('^')) text = text.toUpperCase();
    const width = m[2] ? Number(m[2]) : conv.width;
    const pad = flags.includes('-') ? '' : flags.includes('_') ? ' ' : flags.includes('0') ? '0' : conv.pad;
    if (conv.numeric && m[4] === 'N' && m[2]) {
      // %3N: the first digits of the nanoseconds, not a padded number.
      text = String(t.ns).padStart(9, '0').slice(0, Number(m[2]));
    } else if (pad && text.length < width) {
      text = pad === '0' && conv.numeric ? text.padStart(width, '0') : text.padStart(width, pad);
    } else if (!pad && conv.numeric) {
      text = String(Number(text));
    }
    out += text;
  }
  return out;
}
