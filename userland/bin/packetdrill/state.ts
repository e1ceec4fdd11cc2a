// What the runner remembers between events (packetdrill's struct state, socket.h): the script's
// fds and their live twins, the socket under test with its script and live 4-tuples and ISNs, and
// the timing anchors.

import type { Event } from './ast.js';

export type SocketState =
  | 'init'
  | 'new'
  | 'active-connecting'
  | 'active-syn-sent'
  | 'active-syn-acked'
  | 'passive-listening'
  | 'passive-packet-received'
  | 'passive-synack-sent'
  | 'passive-synack-acked';

export interface Endpoint {
  ip: number;
  port: number;
}

export interface Side {
  local: Endpoint;
  remote: Endpoint;
  localIsn: number;
  remoteIsn: number;
}

export interface TcpHeaderNote {
  seq: number;
  ack: number;
  window: number;
  syn: boolean;
  fin: boolean;
  ackFlag: boolean;
  payloadLen: number;
}

export interface FdState {
  kind: 'socket' | 'file' | 'epoll' | 'pipe';
  scriptFd: number;
  liveFd: number;
  closed: boolean;
  sock: Sock | null;
}

export interface Sock {
  state: SocketState;
  type: number;
  protocol: number;
  fd: FdState;
  script: Side;
  live: Side;
  /** Script TS val -> live TS val, from every outbound packet that carried one. */
  tsValMap: Map<number, number>;
  firstTs: { script: number; actual: number } | null;
  lastInjected: TcpHeaderNote | null;
  lastOutbound: TcpHeaderNote | null;
}

export function side(): Side {
  return { local: { ip: 0, port: 0 }, remote: { ip: 0, port: 0 }, localIsn: 0, remoteIsn: 0 };
}

/** socket.h's offsets: script sequence space to live and back. */
export function remoteSeqScriptToLive(s: Sock, syn: boolean): number {
  return syn ? 0 : s.live.remoteIsn;
}

export function localSeqScriptToLive(s: Sock, syn: boolean): number {
  return syn ? (s.live.localIsn - s.script.localIsn) >>> 0 : s.live.localIsn;
}

export interface Timing {
  liveStartUsecs: number;
  scriptStartUsecs: number;
  /** The previous event (state->last_event), and its time (script_last_time_usecs). */
  lastEvent: Event | null;
  scriptLastUsecs: number;
  numEvents: number;
}
