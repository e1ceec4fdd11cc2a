// The uapi packet headers: what a C program gets from netinet/ip.h, netinet/ip_icmp.h,
// netinet/udp.h and net/if_ether.h to build and read packets (ping, tcpdump, a raw-socket tool,
// openvpn's TUN/TAP loop). Userland may import the packet formats only through kernel/abi, like
// every other kernel interface, so this re-exports the kernel's wire module unchanged.

export * from '../net/wire/index.js';
