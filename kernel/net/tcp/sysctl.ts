// The net.ipv4.tcp_* (and the few net.core / net.ipv4 neighbours TCP reads) values of one host, with
// Linux 6.18's defaults, and their table for /proc/sys: each entry reads as procfs prints it
// (vectors tab-separated) and validates a write as the kernel's handler does. Every key here changes
// what the engine does; keys Linux has and tunlab does not model are not listed (a write to one is
// ENOENT, as for any missing /proc/sys file).

import type { ErrnoName } from '../../abi/errno.js';

export interface TcpSysctl {
  tcp_timestamps: number;
  tcp_sack: number;
  tcp_dsack: number;
  tcp_window_scaling: number;
  tcp_rmem: [number, number, number];
  tcp_wmem: [number, number, number];
  tcp_congestion_control: string;
  tcp_syn_retries: number;
  tcp_synack_retries: number;
  tcp_syn_linear_timeouts: number;
  tcp_slow_start_after_idle: number;
  tcp_reordering: number;
  tcp_no_metrics_save: number;
  tcp_no_ssthresh_metrics_save: number;
  tcp_max_reordering: number;
  tcp_ecn: number;
  tcp_syncookies: number;
  tcp_max_syn_backlog: number;
  tcp_abort_on_overflow: number;
  tcp_fin_timeout: number;
  tcp_keepalive_time: number;
  tcp_keepalive_intvl: number;
  tcp_keepalive_probes: number;
  tcp_retries1: number;
  tcp_retries2: number;
  tcp_orphan_retries: number;
  tcp_early_retrans: number;
  tcp_recovery: number;
  tcp_frto: number;
  tcp_notsent_lowat: number;
  tcp_rfc1337: number;
  tcp_invalid_ratelimit: number;
  tcp_challenge_ack_limit: number;
  tcp_min_snd_mss: number;
  /** Segments a GSO packet carries at least (tcp_tso_autosize). */
  tcp_min_tso_segs: number;
  /** A path with min_rtt below 2^this µs gets bigger GSO packets (tcp_tso_autosize). */
  tcp_tso_rtt_log: number;
  /** Defer a partial GSO packet unless 1/this of the window may go (0: the 3-MSS rule). */
  tcp_tso_win_divisor: number;
  tcp_app_win: number;
  tcp_moderate_rcvbuf: number;
  tcp_rto_min_us: number;
  tcp_rto_max_ms: number;
  tcp_thin_linear_timeouts: number;
  tcp_shrink_window: number;
  tcp_workaround_signed_windows: number;
  tcp_retrans_collapse: number;
  tcp_pingpong_thresh: number;
  tcp_min_rtt_wlen: number;
  tcp_tw_reuse: number;
  tcp_max_tw_buckets: number;
  tcp_pacing_ss_ratio: number;
  tcp_pacing_ca_ratio: number;
  ip_local_port_range: [number, number];
  /** /sys/module/tcp_cubic/parameters/ */
  cubic: CubicParams;
  core_rmem_max: number;
  core_wmem_max: number;
  core_somaxconn: number;
}

/** CUBIC's module parameters, with Linux's defaults. */
export interface CubicParams {
  fast_convergence: number;
  beta: number;
  initial_ssthresh: number;
  bic_scale: number;
  tcp_friendliness: number;
  hystart: number;
  hystart_detect: number;
  hystart_low_window: number;
  hystart_ack_delta_us: number;
}

export const TCP_CONGESTION_NAMES = ['reno', 'cubic'] as const;

export function defaultTcpSysctl(): TcpSysctl {
  return {
    tcp_timestamps: 1,
    tcp_sack: 1,
    tcp_dsack: 1,
    tcp_window_scaling: 1,
    tcp_rmem: [4096, 131072, 33554432],
    tcp_wmem: [4096, 16384, 4194304],
    tcp_congestion_control: 'cubic',
    tcp_syn_retries: 6,
    tcp_synack_retries: 5,
    tcp_syn_linear_timeouts: 4,
    tcp_slow_start_after_idle: 1,
    tcp_reordering: 3,
    tcp_no_metrics_save: 0,
    tcp_no_ssthresh_metrics_save: 1,
    tcp_max_reordering: 300,
    tcp_ecn: 2,
    tcp_syncookies: 1,
    tcp_max_syn_backlog: 256,
    tcp_abort_on_overflow: 0,
    tcp_fin_timeout: 60,
    tcp_keepalive_time: 7200,
    tcp_keepalive_intvl: 75,
    tcp_keepalive_probes: 9,
    tcp_retries1: 3,
    tcp_retries2: 15,
    tcp_orphan_retries: 0,
    tcp_early_retrans: 3,
    tcp_recovery: 1,
    tcp_frto: 2,
    tcp_notsent_lowat: 0xffffffff,
    tcp_rfc1337: 0,
    tcp_invalid_ratelimit: 500,
    tcp_challenge_ack_limit: 2147483647,
    tcp_min_snd_mss: 48,
    tcp_min_tso_segs: 2,
    tcp_tso_rtt_log: 9,
    tcp_tso_win_divisor: 3,
    tcp_app_win: 31,
    tcp_moderate_rcvbuf: 1,
    tcp_rto_min_us: 200000,
    tcp_rto_max_ms: 120000,
    tcp_thin_linear_timeouts: 0,
    tcp_shrink_window: 0,
    tcp_workaround_signed_windows: 0,
    tcp_retrans_collapse: 1,
    tcp_pingpong_thresh: 1,
    tcp_min_rtt_wlen: 300,
    tcp_tw_reuse: 2,
    tcp_max_tw_buckets: 262144,
    tcp_pacing_ss_ratio: 200,
    tcp_pacing_ca_ratio: 120,
    ip_local_port_range: [32768, 60999],
    cubic: {
      fast_convergence: 1,
      beta: 717,
      initial_ssthresh: 0,
      bic_scale: 41,
      tcp_friendliness: 1,
      hystart: 1,
      hystart_detect: 3,
      hystart_low_window: 16,
      hystart_ack_delta_us: 2000,
    },
    core_rmem_max: 212992,
    core_wmem_max: 212992,
    core_somaxconn: 4096,
  };
}

/** One /proc/sys file: its dotted name, how it reads, and how a write is checked and applied. */
export interface SysctlEntry {
  /** e.g. net.ipv4.tcp_rmem */
  readonly name: string;
  readonly writable: boolean;
  read(): string;
  /** Apply text written to the file; the errno the write(2) fails with, or null. */
  write(text: string): ErrnoName | null;
}

type Key = keyof TcpSysctl;

const INT_MAX = 2147483647;

/** Integers as proc_dointvec parses them: optional sign, decimal, surrounding whitespace. */
function parseInts(text: string): number[] | null {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  const out: number[] = [];
  for (const w of words) {
    if (!/^[+-]?\d+$/.test(w)) return null;
    out.push(Number(w));
  }
  return out;
}

function intEntry(values: TcpSysctl, key: Key, name: string, min: number, max: number): SysctlEntry {
  return {
    name,
    writable: true,
    read: () => String(values[key]),
    write(text) {
      const v = parseInts(text);
      if (!v || v.length === 0) return 'EINVAL';
      if (v[0]! < min || v[0]! > max) return 'EINVAL';
      (values as unknown as Record<string, number>)[key] = v[0]!;
      return null;
    },
  };
}

function vecEntry(values: TcpSysctl, key: 'tcp_rmem' | 'tcp_wmem' | 'ip_local_port_range', name: string, min: number): SysctlEntry {
  return {
    name,
    writable: true,
    read: () => values[key].join('\t'),
    write(text) {
      const v = parseInts(text);
      const cur = values[key];
      if (!v || v.length === 0 || v.length > cur.length) return 'EINVAL';
      const next = [...cur];
      v.forEach((x, i) => (next[i] = x));
      if (next.some((x) => x < min || x > INT_MAX)) return 'EINVAL';
      if (key === 'ip_local_port_range') {
        // ipv4_local_port_range: low <= high, both in 1..65535.
        if (next[0]! > next[1]! || next[1]! > 65535 || next[0]! < 1) return 'EINVAL';
      }
      (values as unknown as Record<string, number[]>)[key] = next;
      return null;
    },
  };
}

/** The /proc/sys entries for `values`, in sysctl -a's order (alphabetical within net.core and net.ipv4). */
export function tcpSysctlEntries(values: TcpSysctl): SysctlEntry[] {
  const b = (k: Key) => intEntry(values, k, `net.ipv4.${k}`, 0, 1);
  const i = (k: Key, min = 0, max = INT_MAX) => intEntry(values, k, `net.ipv4.${k}`, min, max);
  const entries: SysctlEntry[] = [
    intEntry(values, 'core_rmem_max', 'net.core.rmem_max', 0, INT_MAX),
    intEntry(values, 'core_somaxconn', 'net.core.somaxconn', 0, INT_MAX),
    intEntry(values, 'core_wmem_max', 'net.core.wmem_max', 0, INT_MAX),
    vecEntry(values, 'ip_local_port_range', 'net.ipv4.ip_local_port_range', 1),
    i('tcp_abort_on_overflow', 0, 1),
    i('tcp_app_win', 0, 31),
    {
      name: 'net.ipv4.tcp_available_congestion_control',
      writable: false,
      read: () => TCP_CONGESTION_NAMES.join(' '),
      write: () => 'EPERM',
    },
    i('tcp_challenge_ack_limit'),
    {
      name: 'net.ipv4.tcp_congestion_control',
      writable: true,
      read: () => values.tcp_congestion_control,
      write(text) {
        const name = text.trim();
        if (!(TCP_CONGESTION_NAMES as readonly string[]).includes(name)) return 'ENOENT';
        values.tcp_congestion_control = name;
        return null;
      },
    },
    b('tcp_dsack'),
    i('tcp_early_retrans', 0, 4),
    i('tcp_ecn', 0, 2),
    i('tcp_fin_timeout'),
    i('tcp_frto', 0, 2),
    i('tcp_invalid_ratelimit'),
    i('tcp_keepalive_intvl', 1, 32767),
    i('tcp_keepalive_probes', 1, 127),
    i('tcp_keepalive_time', 1, 32767),
    i('tcp_max_reordering', 1),
    i('tcp_max_syn_backlog', 1),
    i('tcp_max_tw_buckets'),
    i('tcp_min_rtt_wlen', 0, 86400),
    i('tcp_min_snd_mss', 48, 65535),
    i('tcp_min_tso_segs', 1, 127),
    b('tcp_no_metrics_save'),
    b('tcp_no_ssthresh_metrics_save'),
    b('tcp_moderate_rcvbuf'),
    i('tcp_notsent_lowat', 0, 0xffffffff),
    i('tcp_orphan_retries', 0, 255),
    i('tcp_pacing_ca_ratio', 0, 1000),
    i('tcp_pacing_ss_ratio', 0, 1000),
    i('tcp_pingpong_thresh', 1, 255),
    i('tcp_recovery', 0, 7),
    i('tcp_reordering', 1),
    i('tcp_retrans_collapse', 0, 1),
    i('tcp_retries1', 0, 255),
    i('tcp_retries2', 0, 255),
    b('tcp_rfc1337'),
    vecEntry(values, 'tcp_rmem', 'net.ipv4.tcp_rmem', 1),
    i('tcp_rto_max_ms', 1000, 120000),
    i('tcp_rto_min_us', 1),
    b('tcp_sack'),
    b('tcp_shrink_window'),
    b('tcp_slow_start_after_idle'),
    i('tcp_syn_linear_timeouts', 0, 255),
    i('tcp_syn_retries', 1, 127),
    i('tcp_synack_retries', 0, 255),
    i('tcp_syncookies', 0, 2),
    b('tcp_thin_linear_timeouts'),
    i('tcp_timestamps', 0, 2),
    i('tcp_tso_rtt_log', 0, 31),
    i('tcp_tso_win_divisor', 0, 255),
    i('tcp_tw_reuse', 0, 2),
    b('tcp_window_scaling'),
    vecEntry(values, 'tcp_wmem', 'net.ipv4.tcp_wmem', 1),
    b('tcp_workaround_signed_windows'),
  ];
  return entries;
}

/** The entries of /sys/module/tcp_cubic/parameters, by file name. */
export function cubicParamEntries(values: TcpSysctl): SysctlEntry[] {
  return (Object.keys(values.cubic) as Array<keyof CubicParams>).map((k) => ({
    name: k,
    writable: true,
    read: () => String(values.cubic[k]),
    write(text: string) {
      const v = parseInts(text);
      if (!v || v.length !== 1 || v[0]! < 0 || v[0]! > 0xffffffff) return 'EINVAL';
      values.cubic[k] = v[0]!;
      return null;
    },
  }));
}
