// TCP's counters under Linux's names: the RFC 1213 Tcp group of /proc/net/snmp, and the TcpExt
// ones of /proc/net/netstat (nstat names them so). Every segment the engine drops is counted in one
// of them; `drops` names the reason of each drop for tests and the packet journey.

export class TcpMib {
  // Tcp (snmp)
  ActiveOpens = 0;
  PassiveOpens = 0;
  AttemptFails = 0;
  EstabResets = 0;
  InSegs = 0;
  OutSegs = 0;
  RetransSegs = 0;
  InErrs = 0;
  OutRsts = 0;
  InCsumErrors = 0;

  // TcpExt (netstat)
  SyncookiesSent = 0;
  SyncookiesRecv = 0;
  SyncookiesFailed = 0;
  EmbryonicRsts = 0;
  TW = 0;
  PAWSEstab = 0;
  DelayedACKs = 0;
  DelayedACKLost = 0;
  ListenOverflows = 0;
  ListenDrops = 0;
  TCPPureAcks = 0;
  TCPHPAcks = 0;
  TCPRenoRecovery = 0;
  TCPSackRecovery = 0;
  TCPSACKReneging = 0;
  TCPSACKReorder = 0;
  TCPRenoReorder = 0;
  TCPTSReorder = 0;
  TCPFullUndo = 0;
  TCPPartialUndo = 0;
  TCPDSACKUndo = 0;
  TCPLossUndo = 0;
  TCPLostRetransmit = 0;
  TCPRenoFailures = 0;
  TCPSackFailures = 0;
  TCPLossFailures = 0;
  TCPFastRetrans = 0;
  TCPSlowStartRetrans = 0;
  TCPTimeouts = 0;
  TCPLossProbes = 0;
  TCPLossProbeRecovery = 0;
  TCPDSACKOldSent = 0;
  TCPDSACKOfoSent = 0;
  TCPDSACKRecv = 0;
  TCPDSACKOfoRecv = 0;
  TCPAbortOnData = 0;
  TCPAbortOnClose = 0;
  TCPAbortOnTimeout = 0;
  TCPAbortOnLinger = 0;
  TCPAbortFailed = 0;
  TCPSACKDiscard = 0;
  TCPDSACKIgnoredOld = 0;
  TCPDSACKIgnoredNoUndo = 0;
  TCPSpuriousRTOs = 0;
  TCPOFOQueue = 0;
  TCPOFODrop = 0;
  TCPOFOMerge = 0;
  TCPChallengeACK = 0;
  TCPSYNChallenge = 0;
  TCPFromZeroWindowAdv = 0;
  TCPToZeroWindowAdv = 0;
  TCPWantZeroWindowAdv = 0;
  TCPSynRetrans = 0;
  TCPOrigDataSent = 0;
  TCPACKSkippedSynRecv = 0;
  TCPACKSkippedPAWS = 0;
  TCPACKSkippedSeq = 0;
  TCPACKSkippedFinWait2 = 0;
  TCPACKSkippedTimeWait = 0;
  TCPACKSkippedChallenge = 0;
  TCPWinProbe = 0;
  TCPKeepAlive = 0;
  TCPDelivered = 0;
  TCPDeliveredCE = 0;
  TCPRcvQDrop = 0;
  TCPZeroWindowDrop = 0;
  TCPTimeWaitOverflow = 0;
  TCPRetransFail = 0;
  TCPSpuriousRtxHostQueues = 0;
  TCPDSACKRecvSegs = 0;
  TCPMTUPFail = 0;
  TCPHystartTrainDetect = 0;
  TCPHystartTrainCwnd = 0;
  TCPHystartDelayDetect = 0;
  TCPHystartDelayCwnd = 0;

  /** The host-wide RFC 5961 challenge ACK budget (tcp_challenge_timestamp/count). */
  readonly challenge = { second: -1, count: 0 };

  /** Segments dropped, by reason (Linux's drop reasons, lower-cased): never reset. */
  readonly drops = new Map<string, number>();

  drop(reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  /** CurrEstab is computed by whoever knows the connections; the rest as plain numbers. */
  snapshot(currEstab: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this)) if (typeof v === 'number') out[k] = v;
    out.CurrEstab = currEstab;
    return out;
  }
}
