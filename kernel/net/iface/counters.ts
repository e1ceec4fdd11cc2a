// Protocol counters, named as `netstat -s` and Linux's /proc/net/snmp name them.

export class IpCounters {
  InReceives = 0;
  InHdrErrors = 0;
  InAddrErrors = 0;
  ForwDatagrams = 0;
  InUnknownProtos = 0;
  InDiscards = 0;
  InDelivers = 0;
  OutRequests = 0;
  OutDiscards = 0;
  OutNoRoutes = 0;
  ReasmTimeout = 0;
  ReasmReqds = 0;
  ReasmOKs = 0;
  ReasmFails = 0;
  FragOKs = 0;
  FragFails = 0;
  FragCreates = 0;
  // IpExt (Linux's /proc/net/netstat): a packet to forward that no route covers (ip_error in
  // net/ipv4/route.c). A locally generated one counts in OutNoRoutes instead.
  InNoRoutes = 0;
}

export class IcmpCounters {
  InMsgs = 0;
  InErrors = 0;
  InDestUnreachs = 0;
  InTimeExcds = 0;
  InEchos = 0;
  InEchoReps = 0;
  OutMsgs = 0;
  OutErrors = 0;
  OutDestUnreachs = 0;
  OutTimeExcds = 0;
  OutEchos = 0;
  OutEchoReps = 0;
}
