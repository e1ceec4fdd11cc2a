// The options a real OpenVPN 2.6 knows and tunlab's openvpn refuses, each with the reason shown in
// "Options error: --NAME is not supported by tunlab's openvpn (REASON)". Refusing by name, never
// ignoring: a config written for a real OpenVPN says plainly what tunlab cannot do.

/** Options a real 2.6 knows that tunlab refuses, with why (default: static-key mode only). */
export const REFUSED: Record<string, string> = Object.fromEntries([
  ...[
    'tls-client', 'tls-server', 'client', 'server', 'server-bridge', 'pull', 'push', 'mode', 'ca', 'capath', 'cert', 'key',
    'dh', 'pkcs12', 'extra-certs', 'tls-auth', 'tls-crypt', 'tls-crypt-v2', 'tls-verify', 'tls-version-min', 'tls-version-max',
    'tls-cipher', 'tls-ciphersuites', 'tls-timeout', 'tls-exit', 'remote-cert-tls', 'remote-cert-ku', 'remote-cert-eku',
    'verify-x509-name', 'peer-fingerprint', 'crl-verify', 'auth-user-pass', 'auth-nocache', 'auth-token', 'askpass',
    'data-ciphers', 'data-ciphers-fallback', 'ncp-ciphers', 'ncp-disable', 'reneg-sec', 'reneg-bytes', 'reneg-pkts',
    'hand-window', 'tran-window', 'key-method', 'topology', 'ifconfig-pool', 'ifconfig-pool-persist', 'client-to-client',
    'duplicate-cn', 'client-config-dir', 'ccd-exclusive', 'max-clients', 'push-reset', 'route-nopull', 'redirect-gateway',
    'dhcp-option', 'pkcs11-providers', 'pkcs11-id', 'cryptoapicert', 'providers', 'engine', 'tls-cert-profile',
  ].map((n) => [n, 'static-key mode only']),
  ...['proto-force'].map((n) => [n, 'UDP only']),
  ...['comp-lzo', 'compress', 'allow-compression', 'comp-noadapt'].map((n) => [n, 'no compression']),
  ...['daemon', 'log', 'log-append', 'syslog', 'writepid', 'status', 'status-version', 'machine-readable-output'].map((n) => [
    n,
    'it logs to its standard output; run it in the background with &',
  ]),
  ...['up', 'down', 'route-up', 'route-pre-down', 'ipchange', 'learn-address', 'script-security', 'plugin', 'setenv', 'setenv-safe', 'up-delay', 'up-restart', 'down-pre'].map(
    (n) => [n, 'no scripts or plugins'],
  ),
  ...['management', 'management-hold', 'management-query-passwords', 'management-client', 'management-log-cache'].map((n) => [n, 'no management interface']),
  ...['ifconfig-ipv6', 'route-ipv6', 'tun-ipv6', 'ifconfig-ipv6-pool', 'route-ipv6-gateway'].map((n) => [n, 'IPv4 only']),
  ...['fragment', 'mssfix', 'link-mtu', 'tun-mtu-extra', 'mtu-disc', 'mtu-test', 'txqueuelen', 'sndbuf', 'rcvbuf', 'shaper', 'socket-flags', 'fast-io', 'passtos', 'dev-node'].map(
    (n) => [n, 'not implemented'],
  ),
  ...['user', 'group', 'chroot', 'cd', 'mlock', 'nice', 'inactive', 'session-timeout', 'explicit-exit-notify', 'mute', 'echo', 'lladdr', 'connect-retry', 'connect-retry-max', 'connect-timeout', 'remote-random', 'remote-random-hostname', 'http-proxy', 'socks-proxy', 'bind', 'multihome', 'mark', 'ping-timer-rem', 'persist-remote-ip', 'persist-local-ip', 'mktun', 'rmtun', 'route-delay', 'route-method', 'route-metric', 'allow-pull-fqdn', 'pull-filter', 'show-ciphers', 'show-digests', 'show-tls', 'show-engines', 'show-curves', 'show-groups', 'disable-dco', 'iproute', 'test-crypto'].map(
    (n) => [n, 'not implemented'],
  ),
  ...['no-replay', 'no-iv', 'secret-file'].map((n) => [n, 'insecure and removed']),
]);
