// UDP's counters, named as `netstat -s` and Linux's /proc/net/snmp name them.

export class UdpCounters {
  InDatagrams = 0;
  NoPorts = 0;
  InErrors = 0;
  OutDatagrams = 0;
  RcvbufErrors = 0;
  SndbufErrors = 0;
  InCsumErrors = 0;
}
