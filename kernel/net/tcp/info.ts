// struct tcp_info as Linux's tcp_get_info fills it: times in µs (the RTO with its backoff, the
// delayed-ACK timeout) or ms (the last_* ages), counts in segments, the chronograph of busy,
// window-limited and buffer-limited time. A listener reports its accept queue and backlog.

import { TCP_LISTEN, TCPI_OPT_ECN, TCPI_OPT_ECN_SEEN, TCPI_OPT_SACK, TCPI_OPT_TIMESTAMPS, TCPI_OPT_WSCALE, type TcpInfo } from '../../abi/tcp.js';
import type { TcpSock } from './sock.js';
import { TCP_DELACK_MAX_US } from './sock.js';

function blank(): TcpInfo {
  return {
    tcpi_state: 0, tcpi_ca_state: 0, tcpi_retransmits: 0, tcpi_probes: 0, tcpi_backoff: 0, tcpi_options: 0,
    tcpi_snd_wscale: 0, tcpi_rcv_wscale: 0, tcpi_delivery_rate_app_limited: 0, tcpi_fastopen_client_fail: 0,
    tcpi_rto: 0, tcpi_ato: 0, tcpi_snd_mss: 0, tcpi_rcv_mss: 0, tcpi_unacked: 0, tcpi_sacked: 0, tcpi_lost: 0,
    tcpi_retrans: 0, tcpi_fackets: 0, tcpi_last_data_sent: 0, tcpi_last_ack_sent: 0, tcpi_last_data_recv: 0,
    tcpi_last_ack_recv: 0, tcpi_pmtu: 0, tcpi_rcv_ssthresh: 0, tcpi_rtt: 0, tcpi_rttvar: 0, tcpi_snd_ssthresh: 0,
    tcpi_snd_cwnd: 0, tcpi_advmss: 0, tcpi_reordering: 0, tcpi_rcv_rtt: 0, tcpi_rcv_space: 0, tcpi_total_retrans: 0,
    tcpi_pacing_rate: 0, tcpi_max_pacing_rate: 0, tcpi_bytes_acked: 0, tcpi_bytes_received: 0, tcpi_segs_out: 0,
    tcpi_segs_in: 0, tcpi_notsent_bytes: 0, tcpi_min_rtt: 0, tcpi_data_segs_in: 0, tcpi_data_segs_out: 0,
    tcpi_delivery_rate: 0, tcpi_busy_time: 0, tcpi_rwnd_limited: 0, tcpi_sndbuf_limited: 0, tcpi_delivered: 0,
    tcpi_delivered_ce: 0, tcpi_bytes_sent: 0, tcpi_bytes_retrans: 0, tcpi_dsack_dups: 0, tcpi_reord_seen: 0,
    tcpi_rcv_ooopack: 0, tcpi_snd_wnd: 0, tcpi_rcv_wnd: 0, tcpi_rehash: 0, tcpi_total_rto: 0,
    tcpi_total_rto_recoveries: 0, tcpi_total_rto_time: 0, tcpi_received_ce: 0,
  };
}

/** The socket's state as tcp_info shows it (Linux's inet_sk_state_load). */
export function tcpInfo(sk: TcpSock): TcpInfo {
  const i = blank();
  i.tcpi_state = sk.state;
  i.tcpi_pacing_rate = sk.pacingRate || 0xffffffffffff;
  i.tcpi_max_pacing_rate = 0xffffffffffff;
  i.tcpi_reordering = sk.reordering;
  i.tcpi_snd_cwnd = sk.sndCwnd;
  if (sk.state === TCP_LISTEN) {
    i.tcpi_unacked = sk.listen?.accept.length ?? 0;
    i.tcpi_sacked = sk.listen?.backlog ?? 0;
    return i;
  }
  const nowUs = sk.nowUs();
  const jiffiesMs = (us: number) => Math.floor(us / 1000);
  i.tcpi_ca_state = sk.caState;
  i.tcpi_retransmits = sk.retransmits;
  i.tcpi_probes = sk.probesOut;
  i.tcpi_backoff = sk.backoff;
  if (sk.tsOk) i.tcpi_options |= TCPI_OPT_TIMESTAMPS;
  if (sk.sackOk) i.tcpi_options |= TCPI_OPT_SACK;
  if (sk.wscaleOk) {
    i.tcpi_options |= TCPI_OPT_WSCALE;
    i.tcpi_snd_wscale = sk.sndWscale;
    i.tcpi_rcv_wscale = sk.rcvWscale;
  }
  if (sk.ecnOk) i.tcpi_options |= TCPI_OPT_ECN;
  if (sk.ecnSeenCe) i.tcpi_options |= TCPI_OPT_ECN_SEEN;
  i.tcpi_rto = sk.rtoUs;
  i.tcpi_ato = Math.min(sk.atoUs, TCP_DELACK_MAX_US);
  i.tcpi_snd_mss = sk.mssCache;
  i.tcpi_rcv_mss = sk.rcvMss;
  i.tcpi_unacked = sk.packetsOut;
  i.tcpi_sacked = sk.sackedOut;
  i.tcpi_lost = sk.lostOut;
  i.tcpi_retrans = sk.retransOut;
  i.tcpi_last_data_sent = jiffiesMs(nowUs) - jiffiesMs(sk.lsndtimeUs);
  i.tcpi_last_data_recv = jiffiesMs(nowUs) - jiffiesMs(sk.lrcvtimeUs);
  i.tcpi_last_ack_recv = jiffiesMs(nowUs) - jiffiesMs(sk.rcvTstampUs);
  i.tcpi_pmtu = sk.pmtu;
  i.tcpi_rcv_ssthresh = sk.rcvSsthresh;
  i.tcpi_rtt = sk.srttUs >> 3;
  i.tcpi_rttvar = sk.mdevUs >> 2;
  i.tcpi_snd_ssthresh = sk.sndSsthresh;
  i.tcpi_advmss = sk.advmss;
  i.tcpi_rcv_rtt = sk.rcvRttUs >> 3;
  i.tcpi_rcv_space = sk.rcvqSpace.space;
  i.tcpi_total_retrans = sk.totalRetrans;
  i.tcpi_bytes_acked = sk.bytesAcked;
  i.tcpi_bytes_received = sk.bytesReceived;
  i.tcpi_notsent_bytes = sk.notsentBytes;
  const chrono = { ...sk.chronoUs };
  if (sk.chronoType !== null) chrono[sk.chronoType] += jiffiesMs(nowUs) * 1000 - jiffiesMs(sk.chronoStartUs) * 1000;
  i.tcpi_busy_time = chrono.busy + chrono.rwnd + chrono.sndbuf;
  i.tcpi_rwnd_limited = chrono.rwnd;
  i.tcpi_sndbuf_limited = chrono.sndbuf;
  i.tcpi_segs_out = sk.segsOut;
  i.tcpi_segs_in = sk.segsIn;
  i.tcpi_data_segs_in = sk.dataSegsIn;
  i.tcpi_data_segs_out = sk.dataSegsOut;
  i.tcpi_min_rtt = sk.minRttUs === 0xffffffff ? 0xffffffff : sk.minRttUs;
  i.tcpi_delivered = sk.delivered;
  i.tcpi_delivered_ce = sk.deliveredCe;
  i.tcpi_bytes_sent = sk.bytesSent;
  i.tcpi_bytes_retrans = sk.bytesRetrans;
  i.tcpi_dsack_dups = sk.dsackDups;
  i.tcpi_reord_seen = sk.reordSeen;
  i.tcpi_rcv_ooopack = sk.rcvOooPack;
  i.tcpi_snd_wnd = sk.sndWnd;
  i.tcpi_rcv_wnd = sk.rcvWnd;
  i.tcpi_total_rto = sk.totalRto;
  i.tcpi_total_rto_recoveries = sk.totalRtoRecoveries;
  i.tcpi_total_rto_time = sk.totalRtoTimeMs + (sk.rtoStampUs ? jiffiesMs(nowUs - sk.rtoStampUs) : 0);
  return i;
}
