// The options a real OpenVPN 2.6 knows and tunlab's openvpn refuses, each with the reason shown in
// "Options error: --NAME is not supported by tunlab's openvpn (REASON)". Refusing by name, never
// ignoring: a config written for a real OpenVPN says plainly what tunlab cannot do.

/** Options a real 2.6 knows that tunlab refuses, with why (default: static-key mode only). */
export const REFUSED: ReadonlyMap<string, string> = new Map<string, string>([
  ...[
    'server-bridge', 'capath', 'pkcs12', 'extra-certs', 'tls-verify', 'tls-cipher', 'tls-ciphersuites', 'tls-exit',
    'remote-cert-eku', 'peer-fingerprint', 'auth-user-pass', 'auth-token', 'askpass', 'ncp-disable', 'reneg-pkts', 'key-method',
    'ifconfig-pool-persist', 'ccd-exclusive', 'push-reset', 'pkcs11-providers', 'pkcs11-id', 'cryptoapicert', 'providers',
    'engine', 'tls-cert-profile', 'auth-user-pass-verify', 'client-connect', 'client-disconnect',
  ].map((n) => [n, 'not implemented']),
  ...['proto-force'].map((n) => [n, 'UDP only']),
  ...['comp-lzo', 'compress', 'allow-compression', 'comp-noadapt'].map((n) => [n, 'no compression']),
  ...['daemon', 'log', 'log-append', 'syslog', 'writepid', 'status-version', 'machine-readable-output'].map((n) => [
    n,
    'it logs to its standard output; run it in the background with &',
  ]),
  ...['tls-crypt-v2-verify', 'up', 'down', 'route-up', 'route-pre-down', 'ipchange', 'learn-address', 'script-security', 'plugin', 'setenv', 'setenv-safe', 'up-delay', 'up-restart', 'down-pre'].map(
    (n) => [n, 'no scripts or plugins'],
  ),
  ...['management', 'management-hold', 'management-query-passwords', 'management-client', 'management-log-cache'].map((n) => [n, 'no management interface']),
  ...['route-ipv6-gateway'].map((n) => [n, 'IPv4 only']),
  ...['fragment', 'link-mtu', 'tun-mtu-extra', 'mtu-disc', 'mtu-test', 'txqueuelen', 'sndbuf', 'rcvbuf', 'shaper', 'socket-flags', 'fast-io', 'passtos', 'dev-node'].map(
    (n) => [n, 'not implemented'],
  ),
  ...['user', 'group', 'chroot', 'cd', 'mlock', 'nice', 'inactive', 'session-timeout', 'mute', 'echo', 'lladdr', 'connect-timeout', 'remote-random', 'remote-random-hostname', 'http-proxy', 'socks-proxy', 'bind', 'multihome', 'mark', 'ping-timer-rem', 'persist-remote-ip', 'persist-local-ip', 'mktun', 'rmtun', 'route-delay', 'route-method', 'route-metric', 'allow-pull-fqdn', 'pull-filter', 'show-ciphers', 'show-digests', 'show-tls', 'show-engines', 'show-curves', 'show-groups', 'disable-dco', 'iproute', 'test-crypto'].map(
    (n) => [n, 'not implemented'],
  ),
  ...['no-replay', 'no-iv', 'secret-file'].map((n) => [n, 'insecure and removed']),
] as [string, string][]);
