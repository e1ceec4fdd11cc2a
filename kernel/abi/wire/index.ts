// The packet formats of the stack, one protocol per module (see DESIGN.md, "one protocol per file").

export * from './error.js';
export * from './address.js';
export * from './bytes.js';
export * from './checksum.js';
export * from './ethernet.js';
export * from './arp.js';
export * from './ipv4.js';
export * from './icmp.js';
export * from './udp.js';
export * from './tcp.js';
export * from './wireguard.js';
