// TCP's part of the uapi: connection states, IPPROTO_TCP socket options and struct tcp_info, with
// Linux's values (linux/tcp.h, net/tcp_states.h). Haiku's netinet/tcp.h has only TCP_NODELAY,
// TCP_MAXSEG, TCP_NOPUSH and TCP_NOOPT; tunlab's TCP follows Linux, whose programs and test suites
// (packetdrill, ss, netstat) read these.

import { IPPROTO_TCP } from './socket.js';

export { IPPROTO_TCP };
export const SOL_TCP = IPPROTO_TCP;

/** tcpi_state and /proc/net/tcp's st: Linux's TCP_* states. */
export const TCP_ESTABLISHED = 1;
export const TCP_SYN_SENT = 2;
export const TCP_SYN_RECV = 3;
export const TCP_FIN_WAIT1 = 4;
export const TCP_FIN_WAIT2 = 5;
export const TCP_TIME_WAIT = 6;
export const TCP_CLOSE = 7;
export const TCP_CLOSE_WAIT = 8;
export const TCP_LAST_ACK = 9;
export const TCP_LISTEN = 10;
export const TCP_CLOSING = 11;

/** The names netstat prints for each state. */
export const TCP_STATE_NAMES: Readonly<Record<number, string>> = {
  [TCP_ESTABLISHED]: 'ESTABLISHED',
  [TCP_SYN_SENT]: 'SYN_SENT',
  [TCP_SYN_RECV]: 'SYN_RECV',
  [TCP_FIN_WAIT1]: 'FIN_WAIT1',
  [TCP_FIN_WAIT2]: 'FIN_WAIT2',
  [TCP_TIME_WAIT]: 'TIME_WAIT',
  [TCP_CLOSE]: 'CLOSE',
  [TCP_CLOSE_WAIT]: 'CLOSE_WAIT',
  [TCP_LAST_ACK]: 'LAST_ACK',
  [TCP_LISTEN]: 'LISTEN',
  [TCP_CLOSING]: 'CLOSING',
};

/** tcpi_ca_state. */
export const TCP_CA_Open = 0;
export const TCP_CA_Disorder = 1;
export const TCP_CA_CWR = 2;
export const TCP_CA_Recovery = 3;
export const TCP_CA_Loss = 4;

/** tcpi_options bits. */
export const TCPI_OPT_TIMESTAMPS = 1;
export const TCPI_OPT_SACK = 2;
export const TCPI_OPT_WSCALE = 4;
export const TCPI_OPT_ECN = 8;
export const TCPI_OPT_ECN_SEEN = 16;
export const TCPI_OPT_SYN_DATA = 32;

// IPPROTO_TCP option names.
export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_CORK = 3;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;
export const TCP_SYNCNT = 7;
export const TCP_LINGER2 = 8;
export const TCP_DEFER_ACCEPT = 9;
export const TCP_WINDOW_CLAMP = 10;
export const TCP_INFO = 11;
export const TCP_QUICKACK = 12;
export const TCP_CONGESTION = 13;
export const TCP_THIN_LINEAR_TIMEOUTS = 16;
export const TCP_USER_TIMEOUT = 18;
export const TCP_NOTSENT_LOWAT = 25;
export const TCP_INQ = 36;
/** The control message TCP_INQ adds to recvmsg (same number as the option). */
export const TCP_CM_INQ = TCP_INQ;

export const TCP_OPTION_NAMES: Readonly<Record<number, string>> = {
  [TCP_NODELAY]: 'TCP_NODELAY',
  [TCP_MAXSEG]: 'TCP_MAXSEG',
  [TCP_CORK]: 'TCP_CORK',
  [TCP_KEEPIDLE]: 'TCP_KEEPIDLE',
  [TCP_KEEPINTVL]: 'TCP_KEEPINTVL',
  [TCP_KEEPCNT]: 'TCP_KEEPCNT',
  [TCP_SYNCNT]: 'TCP_SYNCNT',
  [TCP_LINGER2]: 'TCP_LINGER2',
  [TCP_DEFER_ACCEPT]: 'TCP_DEFER_ACCEPT',
  [TCP_WINDOW_CLAMP]: 'TCP_WINDOW_CLAMP',
  [TCP_INFO]: 'TCP_INFO',
  [TCP_QUICKACK]: 'TCP_QUICKACK',
  [TCP_CONGESTION]: 'TCP_CONGESTION',
  [TCP_THIN_LINEAR_TIMEOUTS]: 'TCP_THIN_LINEAR_TIMEOUTS',
  [TCP_USER_TIMEOUT]: 'TCP_USER_TIMEOUT',
  [TCP_NOTSENT_LOWAT]: 'TCP_NOTSENT_LOWAT',
  [TCP_INQ]: 'TCP_INQ',
};

/** The TCP_CONGESTION name buffer: 16 bytes with the NUL (TCP_CA_NAME_MAX). */
export const TCP_CA_NAME_MAX = 16;

/** struct tcp_info as Linux 6.18 fills it (280 bytes there); field names as in linux/tcp.h. */
export interface TcpInfo {
  tcpi_state: number;
  tcpi_ca_state: number;
  tcpi_retransmits: number;
  tcpi_probes: number;
  tcpi_backoff: number;
  tcpi_options: number;
  tcpi_snd_wscale: number;
  tcpi_rcv_wscale: number;
  tcpi_delivery_rate_app_limited: number;
  tcpi_fastopen_client_fail: number;
  tcpi_rto: number;
  tcpi_ato: number;
  tcpi_snd_mss: number;
  tcpi_rcv_mss: number;
  tcpi_unacked: number;
  tcpi_sacked: number;
  tcpi_lost: number;
  tcpi_retrans: number;
  tcpi_fackets: number;
  tcpi_last_data_sent: number;
  tcpi_last_ack_sent: number;
  tcpi_last_data_recv: number;
  tcpi_last_ack_recv: number;
  tcpi_pmtu: number;
  tcpi_rcv_ssthresh: number;
  tcpi_rtt: number;
  tcpi_rttvar: number;
  tcpi_snd_ssthresh: number;
  tcpi_snd_cwnd: number;
  tcpi_advmss: number;
  tcpi_reordering: number;
  tcpi_rcv_rtt: number;
  tcpi_rcv_space: number;
  tcpi_total_retrans: number;
  tcpi_pacing_rate: number;
  tcpi_max_pacing_rate: number;
  tcpi_bytes_acked: number;
  tcpi_bytes_received: number;
  tcpi_segs_out: number;
  tcpi_segs_in: number;
  tcpi_notsent_bytes: number;
  tcpi_min_rtt: number;
  tcpi_data_segs_in: number;
  tcpi_data_segs_out: number;
  tcpi_delivery_rate: number;
  tcpi_busy_time: number;
  tcpi_rwnd_limited: number;
  tcpi_sndbuf_limited: number;
  tcpi_delivered: number;
  tcpi_delivered_ce: number;
  tcpi_bytes_sent: number;
  tcpi_bytes_retrans: number;
  tcpi_dsack_dups: number;
  tcpi_reord_seen: number;
  tcpi_rcv_ooopack: number;
  tcpi_snd_wnd: number;
  tcpi_rcv_wnd: number;
  tcpi_rehash: number;
  tcpi_total_rto: number;
  tcpi_total_rto_recoveries: number;
  tcpi_total_rto_time: number;
  tcpi_received_ce: number;
}

/** The size getsockopt(TCP_INFO) reports, as Linux 6.18's struct. */
export const TCP_INFO_SIZE = 280;

/** One entry of TCP's metrics cache (SIOCGTCPMETRICS), with the values iproute2 prints. */
export interface TcpMetricsInfo {
  daddr: string;
  saddr: string;
  /** Since the entry was last updated. */
  ageMs: number;
  /** Smoothed RTT and its variance in µs; 0 when not known. */
  rttUs: number;
  rttvarUs: number;
  ssthresh: number;
  cwnd: number;
  reordering: number;
}
