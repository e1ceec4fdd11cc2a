// The version banner, --version and --help. The help lists the options tunlab implements, in the
// words and layout of OpenVPN 2.6's usage text; everything else is refused by name when used.

import { VERSION } from './options.js';

export const BANNER = `OpenVPN ${VERSION} x86_64-pc-haiku [SSL (tunlab)] [AEAD]`;
export const LIBRARY_VERSIONS = 'library versions: tunlab userland crypto (node:crypto, node:tls)';

export const VERSION_TEXT = `${BANNER}
${LIBRARY_VERSIONS}
Originally developed by James Yonan
Copyright (C) 2002-2024 OpenVPN Inc <sales@openvpn.net>
tunlab: a reimplementation of OpenVPN 2.6 over UDP (TLS client and server, static key), wire-compatible with 2.6
`;

export const HELP_TEXT = `${BANNER}

General Options:
--config file   : Read configuration options from file.
--help          : Show options.
--version       : Show copyright and version information.

Tunnel Options:
--local host    : Local host name or ip address. Implies --bind.
--remote host [port] : Remote host name or ip address.
--proto p       : Use protocol p for communicating with peer.
                  p = udp (default), udp4 (tunlab: UDP over IPv4 only)
--float         : Allow remote to change its IP address/port, such as through
                  DHCP (this is the default if --remote is not used).
--port port     : TCP/UDP port # for both local and remote.
--lport port    : TCP/UDP port # for local (default=1194). Implies --bind.
--rport port    : TCP/UDP port # for remote (default=1194).
--nobind        : Do not bind to local address and port.
--dev tunX|tapX : tun/tap device (X can be omitted for dynamic device.
                  tunlab: tun, tap, tun/N, tap/N, or null for no device)
--dev-type dt   : Which device type are we using? (dt = tun or tap) Use
                  this option only if the tun/tap device used with --dev
                  does not begin with "tun" or "tap".
--ifconfig l rn : TUN: configure device to use IP address l as a local
                  endpoint and rn as a remote endpoint.  l & rn should be
                  swapped on the other peer.  l & rn must be private
                  addresses outside of the subnets used by either peer.
                  TAP: configure device to use IP address l as a local
                  endpoint and rn as a subnet mask.
--ifconfig-noexec : Don't actually execute ifconfig/netsh command, instead
                    pass --ifconfig parms by environment to scripts.
--route network [netmask] [gateway] [metric] :
                  Add route to routing table after connection
                  is established.  Multiple routes can be specified.
                  netmask default: 255.255.255.255
                  gateway default: taken from --route-gateway or --ifconfig
                  Specify default by leaving blank or setting to "default".
--route-gateway gw : Specify a default gateway for use with --route.
--route-noexec  : Don't add routes automatically.
--keepalive n m : Helper option for setting timeouts in server mode.  Send
                  ping once every n seconds, restart if ping not received
                  for m seconds.
--ping-exit n   : Exit if n seconds pass without reception of remote ping.
--ping-restart n: Restart if n seconds pass without reception of remote ping.
--ping n        : Ping remote once every n seconds over TCP/UDP port.
--persist-tun   : Keep tun/tap device open across SIGUSR1 or --ping-restart.
--persist-key   : Don't re-read key files across SIGUSR1 or --ping-restart.
--tun-mtu n     : Take the tun/tap device MTU to be n and derive the
                  TCP/UDP MTU from it (default=1500).
--resolv-retry infinite : Keep trying to resolve --remote (the default).
--suppress-timestamps : Don't log timestamps to stdout/stderr.
--verb n        : Set output verbosity to n (default=1):
                  (Level 3 is recommended if you want a good summary
                  of what's happening without being swamped by output).
                : 0 -- no output except fatal errors
                : 1 -- startup info + connection initiated messages +
                       non-fatal encryption & net errors
                : 2,3 -- show TLS negotiations & route info
                : 4 -- show parameters
                : 5 -- show 'RrWw' chars on console for each packet sent
                       and received from TCP/UDP (caps) or tun/tap (lc)
                : 6 to 11 -- debug messages of increasing verbosity

Data Channel Encryption Options (must be compatible between peers):
--secret f [d]  : (DEPRECATED) Enable Static Key encryption mode (non-TLS).
                  Use shared secret file f, generate with --genkey.
                  The optional d parameter controls key directionality.
                  If d is specified, use separate keys for each
                  direction, set d=0 on one side of the connection,
                  and d=1 on the other side.
--key-direction d : The key direction of --secret (or of an inline <secret>).
--auth alg      : Authenticate packets with HMAC using message
                  digest algorithm alg (default=SHA1).
                  tunlab: SHA1, SHA256 or SHA512.
--cipher alg    : Encrypt packets with cipher algorithm alg.
                  tunlab: AES-128-CBC, AES-192-CBC or AES-256-CBC.
--mute-replay-warnings : Silence the output of replay warnings to log file.
--replay-window n [t]  : Use a replay protection sliding window of size n
                         and a time window of t seconds.
                         Default n=64 t=15

Generate a new key :
--genkey secret file   : Generate a new random key of type and write to file
                         (for use with --secret, --tls-auth or --tls-crypt).

TLS Mode Options:
--client        : Helper option to easily configure client mode (--tls-client --pull).
--server network netmask : Helper option to easily configure server mode.
--tls-server    : Enable TLS and assume server role during TLS handshake.
--tls-client    : Enable TLS and assume client role during TLS handshake.
--ca file       : Certificate authority file in .pem format.
--cert file     : Local certificate in .pem format.
--key file      : Local private key in .pem format.
--dh file       : File containing Diffie Hellman parameters in .pem format
                  (use 'none' for ECDH only).
--crl-verify crl : Check peer certificate against a CRL.
--tls-auth f [d]: Add an additional layer of authentication on top of the TLS
                  control channel to protect against attacks on the TLS stack.
--tls-crypt key : Add an additional layer of authenticated encryption on top
                  of the TLS control channel to hide the TLS certificate.
--remote-cert-tls t: Require that peer certificate was signed with explicit
                  key usage and extended key usage based on RFC3280 TLS rules.
--verify-x509-name name: Accept connections only from a host with X509 subject
                  DN name.
--data-ciphers list : List of ciphers that are allowed to be negotiated.
                  tunlab: AES-128-GCM, AES-192-GCM, AES-256-GCM, CHACHA20-POLY1305.
--reneg-sec n   : Renegotiate data chan. key after n seconds (default=3600).
--reneg-bytes n : Renegotiate data chan. key after n bytes sent and recvd.
--hand-window n : Data channel key exchange must finalize within n seconds
                  of handshake initiation by any peer (default=60).
--tls-timeout n : Packet retransmit timeout on TLS control channel
                  if no ACK from remote within n seconds (default=2).
--tran-window n : Transition window -- old key can live this many seconds
                  after new key renegotiation begins (default=3600).
--explicit-exit-notify [n] : On exit, send exit signal to server/client.
--push "option" : Push a config file option back to the peer.
--topology t    : Set --dev tun topology: 'net30', 'p2p', or 'subnet'.
--ifconfig-pool start-IP end-IP [netmask] : Set aside a pool of subnets.
--client-to-client : Internally route client-to-client traffic.
--client-config-dir dir : Directory for custom client config files.
--status file [n] : Write operational status to file every n seconds.
--route-nopull  : Don't accept routes pushed by the server.
--genkey tls-crypt|tls-auth file : Generate a key for --tls-crypt or --tls-auth.

tunlab runs OpenVPN over UDP: TCP, compression, scripts and plugins are refused
by name.
`;
