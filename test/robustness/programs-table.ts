// Bad input for every program in /bin: no arguments (where that is an error), an unknown option, a
// bad address (where the program takes one), an out-of-range number, a 10 000-character string, a
// name from Object.prototype (PROTO) where the program looks what it was given up, and for the
// programs that wait or run forever, the input that keeps them going (the harness kills them at
// its bound). Statuses are each program's documented ones: 2 for usage (commander's
// message and the usage line, or the Haiku tool's own usage text), 1 for a refusal, ping's 68 for
// an unknown host, sh's 127 for a missing file, openvpn's 1 for any options error.

export const LONG = 'x'.repeat(10_000);
export const HUGE = '99999999999999999999';
const X = 'x{10000}';
const NIC = '/dev/net/ipro1000/0';

export type Kind = 'no arguments' | 'unknown option' | 'bad address' | 'out of range' | 'long string' | 'bad input' | 'prototype name' | 'runs until killed';

/**
 * Names a plain JavaScript object answers for (issue 12.10): each program gets one where it looks
 * up what it was given (an operand, a flag's value, a variable), and must treat it as any other word.
 */
export const PROTO = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'] as const;

export interface Row {
  kind: Kind;
  argv: string[];
  code: number;
  out: RegExp;
  input?: string;
}

const row = (kind: Kind, argv: string[], code: number, out: RegExp, input?: string): Row => ({ kind, argv, code, out, ...(input !== undefined ? { input } : {}) });
/** commander's usage error: "prog: message" then "usage: prog ...". */
const usage = (prog: string, msg: string) => new RegExp(`^${prog}: ${msg}\\nusage: ${prog} `);
const unknown = (prog: string) => row('unknown option', [prog, '--bogus-option'], 2, usage(prog, "unknown option '--bogus-option'"));
const tooMany = (prog: string) => row('long string', [prog, LONG], 2, usage(prog, 'too many arguments. Expected 0 arguments but got 1.'));
const tooLong = (prog: string, argv: string[], code: number, msg: string) => row('long string', [prog, ...argv], code, new RegExp(`^${msg}\\n`));
/** The Haiku tools (ifconfig, route, arp) print their whole usage text. */
const haikuUsage = (prog: string) => new RegExp(`(^|\\n)usage: ${prog} `);

export const TABLE: Record<string, Row[]> = {
  arp: [
    row('unknown option', ['arp', '--bogus-option'], 2, /^arp: Unknown option --bogus-option\nusage: arp /),
    row('no arguments', ['arp', '-s'], 2, haikuUsage('arp')),
    row('bad address', ['arp', '-s', '999.1.1.1', '00:11:22:33:44:55'], 2, /^arp: Host "999\.1\.1\.1" is not known in the IPv4 domain\.\n$/),
    row('out of range', ['arp', '-s', '192.168.1.50', '00:11:22:33:44:555'], 2, /^arp: "00:11:22:33:44:555" is not a valid ethernet address\.\n$/),
    tooLong('arp', ['-d', LONG], 2, `arp: Host "${X}" is not known in the IPv4 domain\\.`),
    tooLong('arp', ['-f', LONG], 1, 'arp: Could not open file: File name too long'),
    row('prototype name', ['arp', '-d', '__proto__'], 2, /^arp: Host "__proto__" is not known in the IPv4 domain\.\n$/),
  ],
  awk: [
    row('no arguments', ['awk'], 2, usage('awk', 'no program given')),
    unknown('awk'),
    row('bad input', ['awk', '{print $}'], 2, /^awk: line 1: syntax error at or near }\n$/),
    row('out of range', ['awk', `{print $${HUGE}}`], 0, /^\n$/, 'a\n'),
    row('out of range', ['awk', 'BEGIN { printf "%d\\n", 1e400 }'], 0, /^inf\n$/),
    row('long string', ['awk', '{print}', LONG], 2, new RegExp(`^awk: cannot open ${X} \\(File name too long\\)\n$`)),
    row('runs until killed', ['awk', 'BEGIN { while (1) x++ }'], 137, /^$/),
    row('prototype name', ['awk', 'BEGIN { a["__proto__"] = 1; a["constructor"] = 2; for (k in a) n++; print n, length(a), toString }'], 0, /^2 2 \n$/),
  ],
  // /bin/bash is the tunlab shell under another name: the same answers, under its own name.
  bash: [
    row('unknown option', ['bash', '--bogus-option'], 2, /^bash: --bogus-option: invalid option\nusage: bash /),
    row('no arguments', ['bash', '-c'], 2, /^bash: -c: option requires an argument\nusage: bash /),
    row('out of range', ['bash', '-c', `exit ${HUGE}`], 2, new RegExp(`^bash: line 1: exit: ${HUGE}: numeric argument required\\n$`)),
    tooLong('bash', [LONG], 126, `bash: ${X}: File name too long`),
    row('prototype name', ['bash', '-c', 'syscall __proto__'], 2, /^syscall: unknown system call __proto__ \(try: syscall help\)\n$/),
  ],
  basename: [row('no arguments', ['basename'], 2, usage('basename', 'missing operand')), unknown('basename'), row('long string', ['basename', `/a/${LONG}`], 0, /^x{10000}\n$/), row('prototype name', ['basename', '/a/__proto__'], 0, /^__proto__\n$/)],
  cat: [unknown('cat'), tooLong('cat', [LONG], 1, `cat: ${X}: File name too long`), row('no arguments', ['cat'], 0, /^hello\n$/, 'hello\n'), row('prototype name', ['cat', 'constructor'], 1, /^cat: constructor: No such file or directory\n$/)],
  chmod: [
    row('no arguments', ['chmod'], 2, usage('chmod', 'missing operand')),
    unknown('chmod'),
    row('out of range', ['chmod', HUGE, '/tmp'], 2, usage('chmod', `invalid mode: '${HUGE}'`)),
    tooLong('chmod', ['644', LONG], 1, `chmod: cannot access '${X}': File name too long`),
    row('prototype name', ['chmod', 'constructor', '/tmp'], 2, usage('chmod', "invalid mode: 'constructor'")),
  ],
  clear: [unknown('clear'), tooMany('clear'), row('prototype name', ['clear', 'toString'], 2, usage('clear', 'too many arguments\\. Expected 0 arguments but got 1\\.'))],
  cp: [row('no arguments', ['cp'], 2, usage('cp', 'missing file operand')), unknown('cp'), tooLong('cp', [LONG, '/tmp'], 1, `cp: cannot stat '${X}': File name too long`), row('prototype name', ['cp', '__proto__', '/tmp'], 1, /^cp: cannot stat '__proto__': No such file or directory\n$/)],
  cut: [
    row('no arguments', ['cut'], 2, usage('cut', 'you must specify a list of bytes, characters, or fields')),
    unknown('cut'),
    row('out of range', ['cut', '-f', HUGE], 0, /^a\n$/, 'a\n'),
    row('out of range', ['cut', '-f', '0'], 2, usage('cut', 'fields are numbered from 1')),
    tooLong('cut', ['-f1', LONG], 1, `cut: ${X}: File name too long`),
    row('prototype name', ['cut', '-f', 'constructor'], 2, usage('cut', "invalid field value 'constructor'")),
  ],
  date: [unknown('date'), row('out of range', ['date', '-d', `@${HUGE}`], 1, new RegExp(`^date: invalid date '@${HUGE}'\\n$`)), tooLong('date', ['-r', LONG], 1, `date: ${X}: File name too long`), row('prototype name', ['date', '-d', 'constructor'], 1, /^date: invalid date 'constructor'\n$/)],
  diff: [
    row('no arguments', ['diff'], 2, usage('diff', "missing operand after 'diff'")),
    unknown('diff'),
    row('out of range', ['diff', '-U', HUGE, '/etc/hostname', '/etc/hostname'], 2, usage('diff', `option '-U, --unified <num>' argument '${HUGE}' is invalid\\. context length must be from 0 to 9007199254740991`)),
    tooLong('diff', [LONG, '/etc/hostname'], 2, `diff: ${X}: File name too long`),
    row('prototype name', ['diff', 'constructor', '__proto__'], 2, /^diff: constructor: No such file or directory\ndiff: __proto__: No such file or directory\n$/),
  ],
  dirname: [row('no arguments', ['dirname'], 2, usage('dirname', "missing required argument 'name'")), unknown('dirname'), row('long string', ['dirname', `${LONG}/a`], 0, /^x{10000}\n$/), row('prototype name', ['dirname', '__proto__/x'], 0, /^__proto__\n$/)],
  dmesg: [unknown('dmesg'), tooMany('dmesg'), row('prototype name', ['dmesg', 'valueOf'], 2, usage('dmesg', 'too many arguments\\. Expected 0 arguments but got 1\\.'))],
  echo: [row('unknown option', ['echo', '--bogus-option'], 0, /^--bogus-option\n$/), row('long string', ['echo', LONG], 0, /^x{10000}\n$/), row('prototype name', ['echo', '__proto__'], 0, /^__proto__\n$/)],
  env: [unknown('env'), tooLong('env', [LONG], 126, `env: '${X}': File name too long`), row('prototype name', ['env', '-i', '__proto__=1', 'constructor=2'], 0, /^__proto__=1\nconstructor=2\n$/)],
  false: [row('unknown option', ['false', '--bogus-option'], 1, /^$/), row('prototype name', ['false', 'constructor'], 1, /^$/)],
  find: [
    row('unknown option', ['find', '/tmp', '--bogus-option'], 1, /^find: unknown predicate `--bogus-option'\n$/),
    row('out of range', ['find', '/tmp', '-maxdepth', HUGE], 0, /^\/tmp\n/),
    row('bad input', ['find', '/tmp', '-name'], 1, /^find: missing argument to `-name'\n$/),
    tooLong('find', [LONG], 1, `find: '${X}': File name too long`),
    row('prototype name', ['find', '/tmp', '-constructor'], 1, /^find: unknown predicate `-constructor'\n$/),
  ],
  grep: [
    row('no arguments', ['grep'], 2, usage('grep', 'missing pattern')),
    unknown('grep'),
    row('out of range', ['grep', '-m', HUGE, 'x'], 2, usage('grep', 'invalid max count')),
    tooLong('grep', ['x', LONG], 2, `grep: ${X}: File name too long`),
    row('prototype name', ['grep', '[[:constructor:]]'], 2, /^grep: Invalid character class name\n$/, ''),
  ],
  head: [unknown('head'), row('out of range', ['head', '-n', HUGE], 2, usage('head', `invalid number of lines: '${HUGE}': Range Error`)), tooLong('head', [LONG], 1, `head: cannot open '${X}' for reading: File name too long`), row('prototype name', ['head', '-n', '1toString'], 2, usage('head', "invalid number of lines: '1toString'"))],
  hexdump: [unknown('hexdump'), row('out of range', ['hexdump', '-n', HUGE], 2, usage('hexdump', `failed to parse length: '${HUGE}'`)), tooLong('hexdump', [LONG], 1, `hexdump: ${X}: File name too long`), row('prototype name', ['hexdump', 'constructor'], 1, /^hexdump: constructor: No such file or directory\nhexdump: all input file arguments failed\n$/)],
  hostname: [unknown('hostname'), tooLong('hostname', [LONG], 1, `hostname: cannot set name to '${X}': Function not implemented`), row('prototype name', ['hostname', '__proto__'], 1, /^hostname: cannot set name to '__proto__': Function not implemented\n$/)],
  hosts: [unknown('hosts'), tooMany('hosts'), row('prototype name', ['hosts', 'constructor'], 2, usage('hosts', 'too many arguments\\. Expected 0 arguments but got 1\\.'))],
  id: [unknown('id'), tooLong('id', [LONG], 1, `id: '${X}': no such user`), row('prototype name', ['id', '__proto__'], 1, /^id: '__proto__': no such user\n$/)],
  ifconfig: [
    row('unknown option', ['ifconfig', '--bogus-option'], 2, /^ifconfig: Unknown option "--bogus-option"\nusage: ifconfig /),
    row('no arguments', ['ifconfig', '--delete'], 2, haikuUsage('ifconfig')),
    row('bad address', ['ifconfig', 'loop', '999.1.1.1'], 2, /^ifconfig: "999\.1\.1\.1" is not a valid address\nusage: ifconfig /),
    row('bad address', ['ifconfig', NIC, '10.0.0.5', 'netmask'], 2, /^ifconfig: Option 'netmask' needs valid address parameter\n$/),
    row('out of range', ['ifconfig', NIC, 'mtu', HUGE], 1, /^ifconfig: Setting MTU failed: Invalid Argument\n$/),
    row('out of range', ['ifconfig', NIC, 'prefixlen', '33'], 2, /^ifconfig: Option 'prefix-length 33' is invalid for this address family\n$/),
    tooLong('ifconfig', [LONG], 2, `ifconfig: interface name "${X}" is too long\\.`),
    row('prototype name', ['ifconfig', 'loop', 'media', 'constructor'], 2, /^ifconfig: Invalid parameter for option 'media': 'constructor'\n$/),
  ],
  ip: [
    row('unknown option', ['ip', '--bogus-option'], 255, /^Option "-bogus-option" is unknown, try "ip -help"\.\n$/),
    row('no arguments', ['ip'], 255, /^Usage: ip \[ OPTIONS \] OBJECT/),
    row('bad address', ['ip', 'route', 'get', '999.1.1.1'], 1, /^Error: any valid prefix is expected rather than "999\.1\.1\.1"\.\n$/),
    row('out of range', ['ip', 'link', 'set', 'loop', 'mtu', HUGE], 2, /^RTNETLINK answers: Invalid Argument\n$/),
    row('out of range', ['ip', 'route', 'add', '10.1.0.0/16', 'dev', 'loop', 'metric', HUGE], 255, new RegExp(`^Error: argument "${HUGE}" is wrong: "metric" value is invalid\n$`)),
    row('long string', ['ip', 'link', 'show', LONG], 1, new RegExp(`^Device "${X}" does not exist\.\n$`)),
    row('prototype name', ['ip', 'constructor'], 1, /^Object "constructor" is unknown, try "ip help"\.\n$/),
  ],
  kill: [
    row('no arguments', ['kill'], 2, usage('kill', 'missing process id')),
    row('unknown option', ['kill', '-Z', '1'], 1, /^kill: Z: invalid signal specification\n$/),
    row('out of range', ['kill', HUGE], 1, new RegExp(`^kill: ${HUGE}: arguments must be process or job IDs\\n$`)),
    tooLong('kill', [LONG], 1, `kill: ${X}: arguments must be process or job IDs`),
    row('prototype name', ['kill', '-s', 'constructor', '1'], 1, /^kill: constructor: invalid signal specification\n$/),
  ],
  ln: [
    row('no arguments', ['ln'], 2, usage('ln', 'missing file operand')),
    unknown('ln'),
    tooLong('ln', ['-s', 'a', LONG], 1, `ln: failed to create symbolic link '${X}': File name too long`),
    row('prototype name', ['ln', '-s', 'constructor', '/tmp/__proto__'], 0, /^$/),
  ],
  ls: [unknown('ls'), tooLong('ls', [LONG], 2, `ls: cannot access '${X}': File name too long`), row('prototype name', ['ls', '__proto__'], 2, /^ls: cannot access '__proto__': No such file or directory\n$/)],
  mkdir: [
    row('no arguments', ['mkdir'], 2, usage('mkdir', "missing required argument 'directory'")),
    unknown('mkdir'),
    row('out of range', ['mkdir', '-m', '77777', '/tmp/m'], 2, usage('mkdir', "invalid mode '77777'")),
    tooLong('mkdir', ['-p', LONG], 1, `mkdir: cannot create directory '${X}': File name too long`),
    row('prototype name', ['mkdir', '-m', 'constructor', '/tmp/m'], 2, usage('mkdir', "invalid mode 'constructor'")),
  ],
  mv: [row('no arguments', ['mv'], 2, usage('mv', 'missing file operand')), unknown('mv'), tooLong('mv', [LONG, '/tmp'], 1, `mv: cannot stat '${X}': File name too long`), row('prototype name', ['mv', 'constructor', '/tmp'], 1, /^mv: cannot stat 'constructor': No such file or directory\n$/)],
  netstat: [unknown('netstat'), tooMany('netstat'), row('prototype name', ['netstat', '__proto__'], 2, usage('netstat', 'too many arguments\\. Expected 0 arguments but got 1\\.'))],
  on: [
    row('no arguments', ['on'], 2, usage('on', "missing required argument 'host'")),
    unknown('on'),
    row('bad address', ['on', 'nohost', 'true'], 2, /^on: nohost: no such host \(try `hosts`\)\n$/),
    tooLong('on', [LONG, 'true'], 2, `on: ${X}: no such host \\(try \`hosts\`\\)`),
    row('runs until killed', ['on', 'r', 'sleep', HUGE], 137, /^$/),
    row('prototype name', ['on', 'constructor', 'true'], 2, /^on: constructor: no such host \(try `hosts`\)\n$/),
  ],
  openvpn: [
    // As the real one: with no options at all, the options summary and status 1.
    row('no arguments', ['openvpn'], 1, /^OpenVPN 2\.6\.14 [^\n]*\n\s*General Options:\n/),
    row('no arguments', ['openvpn', '--verb', '3'], 1, /Options error: You must define TUN\/TAP device \(--dev\)\nUse --help for more information\.\n$/),
    row('unknown option', ['openvpn', '--bogus-option'], 1, /^Options error: Unrecognized option or missing or extra parameter\(s\) in \[CMD-LINE\]:1: bogus-option \(2\.6\.14\)\n/),
    row('bad address', ['openvpn', '--dev', 'tun', '--ifconfig', '999.1.1.1', '10.8.0.1'], 1, /^Options error: ifconfig parms '999\.1\.1\.1' and '10\.8\.0\.1' must be valid addresses\n/),
    row('out of range', ['openvpn', '--dev', 'null', '--tun-mtu', HUGE], 1, /^Options error: --tun-mtu /),
    row('long string', ['openvpn', '--dev', 'null', '--secret', LONG], 1, /File name too long/),
    // Option names are looked up in Maps: the names of Object.prototype are unknown options too.
    row('unknown option', ['openvpn', '--__proto__', 'x'], 1, /^Options error: Unrecognized option or missing or extra parameter\(s\) in \[CMD-LINE\]:1: __proto__ \(2\.6\.14\)\n/),
    row('unknown option', ['openvpn', '--constructor'], 1, /^Options error: Unrecognized option or missing or extra parameter\(s\) in \[CMD-LINE\]:1: constructor \(2\.6\.14\)\n/),
    row('out of range', ['openvpn', '--dev', 'tun', '--lport', '99999'], 1, /^Options error: --lport: '99999' is not a port number \(0 to 65535\)\n/),
    row('bad address', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.1'], 1, /^Options error: local and remote\/netmask --ifconfig addresses must be different\n/),
    row('runs until killed', ['openvpn', '--dev', 'null'], 137, /UDPv4 link local \(bound\): \[AF_INET\]\[undef\]:1194\n/),
    row('prototype name', ['openvpn', 'constructor'], 1, /^Options error: In \[CMD-LINE\]:1: Error opening configuration file: constructor\n/),
  ],
  packetdrill: [
    row('unknown option', ['packetdrill', '--bogus-option'], 2, /./),
    row('no arguments', ['packetdrill'], 2, /./),
    row('bad address', ['packetdrill', '--local_ip=999.1.1.1', '/tmp/none.pkt'], 1, /./),
    row('out of range', ['packetdrill', `--tolerance_usecs=${HUGE}`, '/tmp/none.pkt'], 1, /./),
    tooLong('packetdrill', [LONG], 1, `parse error: stat\\(\\) of script file '${X}': File name too long`),
    row('prototype name', ['packetdrill', 'constructor'], 1, /^parse error: stat\(\) of script file 'constructor': No such file or directory\n$/),
  ],
  pki: [
    row('no arguments', ['pki'], 2, usage('pki', "missing required argument 'command'")),
    unknown('pki'),
    row('bad address', ['pki', 'build-client-full', '../etc/x'], 2, usage('pki', "Invalid file name: '\\.\\./etc/x'")),
    row('unknown option', ['pki', '__proto__'], 2, usage('pki', "Unknown command '__proto__'\\. Run 'pki --help' for the list\\.")),
    row('out of range', ['pki', '--days', '99999999', 'build-ca'], 2, usage('pki', "option '--days <n>' argument '99999999' is invalid\\. days must be from 1 to 36500")),
    row('long string', ['pki', 'build-client-full', LONG], 1, /^\nEasy-RSA error:\n\n/),
    row('prototype name', ['pki', 'constructor'], 2, usage('pki', "Unknown command 'constructor'\\. Run 'pki --help' for the list\\.")),
  ],
  ping: [
    row('no arguments', ['ping'], 2, usage('ping', "missing required argument 'host'")),
    unknown('ping'),
    row('bad address', ['ping', '-c', '1', '999.1.1.1'], 68, /^ping: cannot resolve 999\.1\.1\.1: Unknown host\n$/),
    row('out of range', ['ping', '-c', HUGE, '127.0.0.1'], 2, usage('ping', `option '-c, --count <count>' argument '${HUGE}' is invalid\\. count must be from 1 to 1000000000`)),
    row('out of range', ['ping', '-s', '70000', '127.0.0.1'], 2, /^ping: packet size too large: 70000 > 65507\n$/),
    tooLong('ping', ['-c', '1', LONG], 68, `ping: cannot resolve ${X}: Unknown host`),
    row('runs until killed', ['ping', '127.0.0.1'], 137, /^PING 127\.0\.0\.1 \(127\.0\.0\.1\): 56 data bytes\n64 bytes from 127\.0\.0\.1: icmp_seq=0 /),
    row('prototype name', ['ping', '-c', '1', 'constructor'], 68, /^ping: cannot resolve constructor: Unknown host\n$/),
  ],
  printf: [
    row('no arguments', ['printf'], 2, usage('printf', 'missing operand')),
    row('unknown option', ['printf', '--bogus-option'], 0, /^--bogus-option$/),
    row('out of range', ['printf', '%d\\n', HUGE], 1, new RegExp(`^9223372036854775807\\nprintf: '${HUGE}': Range Error\\n$`)),
    row('long string', ['printf', LONG], 0, /^x{10000}$/),
    row('prototype name', ['printf', '%s\\n', '__proto__'], 0, /^__proto__\n$/),
  ],
  ps: [unknown('ps'), row('long string', ['ps', LONG], 0, /^$/), row('prototype name', ['ps', 'constructor'], 0, /^$/)],
  rm: [row('no arguments', ['rm'], 2, usage('rm', 'missing operand')), unknown('rm'), tooLong('rm', ['-f', LONG], 1, `rm: cannot remove '${X}': File name too long`), row('prototype name', ['rm', '__proto__'], 1, /^rm: cannot remove '__proto__': No such file or directory\n$/)],
  rmdir: [row('no arguments', ['rmdir'], 2, usage('rmdir', "missing required argument 'directory'")), unknown('rmdir'), tooLong('rmdir', [LONG], 1, `rmdir: failed to remove '${X}': File name too long`), row('prototype name', ['rmdir', 'constructor'], 1, /^rmdir: failed to remove 'constructor': No such file or directory\n$/)],
  route: [
    row('unknown option', ['route', '--bogus-option'], 2, /^route: Unknown command "--bogus-option"\nusage: route /),
    row('no arguments', ['route', 'add'], 2, haikuUsage('route')),
    row('bad address', ['route', 'add', '999.1.1.1'], 2, /^route: "999\.1\.1\.1" is not a valid address\nusage: route /),
    row('bad address', ['route', 'add', NIC, '10.5.0.0', 'netmask', '255.255.0.0', 'gw', '999.9.9.9'], 2, /^route: Option 'gw' needs valid address parameter\n$/),
    row('out of range', ['route', 'add', NIC, '10.5.0.0', 'prefixlen', '99'], 2, /^route: Option 'prefixlen' is invalid for this address family\n$/),
    tooLong('route', ['add', LONG, '10.5.0.0'], 2, `route: interface name "${X}" is too long\\.`),
    row('prototype name', ['route', 'constructor'], 2, /^route: Unknown command "constructor"\nusage: route /),
  ],
  sed: [
    row('no arguments', ['sed'], 2, usage('sed', 'no script specified')),
    unknown('sed'),
    row('bad input', ['sed', 's/a/b'], 1, /^sed: -e expression #1, char 5: unterminated `s' command\n$/),
    row('out of range', ['sed', '-n', `${HUGE}p`], 0, /^$/, 'a\n'),
    row('out of range', ['sed', `s/a/b/${HUGE}`], 0, /^a\n$/, 'a\n'),
    row('runs until killed', ['sed', ':a;ba'], 137, /^$/, 'x\n'),
    tooLong('sed', ['p', LONG], 2, `sed: can't read ${X}: File name too long`),
    row('prototype name', ['sed', 's/x/y/constructor'], 1, /^sed: -e expression #1, char 7: unknown option to `s'\n$/, ''),
  ],
  seq: [row('no arguments', ['seq'], 2, usage('seq', 'missing operand')), unknown('seq'), row('out of range', ['seq', '1e400'], 2, usage('seq', "invalid floating point argument: '1e400'")), row('long string', ['seq', LONG], 2, usage('seq', `invalid floating point argument: '${X}'`)), row('prototype name', ['seq', 'valueOf'], 2, usage('seq', "invalid floating point argument: 'valueOf'"))],
  sh: [
    row('unknown option', ['sh', '--bogus-option'], 2, /^sh: --bogus-option: invalid option\nusage: sh /),
    row('no arguments', ['sh'], 0, /^$/, ''),
    row('no arguments', ['sh', '-c'], 2, /^sh: -c: option requires an argument\nusage: sh /),
    row('out of range', ['sh', '-c', `exit ${HUGE}`], 2, new RegExp(`^sh: line 1: exit: ${HUGE}: numeric argument required\\n$`)),
    row('out of range', ['sh', '-c', 'for i in 1 2; do for j in 1 2; do echo $i$j; break 99999999999; done; done; echo out'], 0, /^11\nout\n$/),
    row('bad input', ['sh', '-c', 'echo ${x:?}'], 1, /^sh: line 1: x: parameter null or not set\n$/),
    row('bad input', ['sh', '-c', '/bin/echo $((1/0))'], 1, /^sh: line 1: 1\/0: division by 0 \(error token is "0"\)\n$/),
    row('bad input', ['sh', '-c', 'return 5; break; echo $?'], 0, /^sh: line 1: return: can only `return' from a function or sourced script\nsh: line 1: break: only meaningful in a `for', `while', or `until' loop\n0\n$/),
    tooLong('sh', [LONG], 126, `sh: ${X}: File name too long`),
    tooLong('sh', ['-c', LONG], 127, `sh: line 1: ${X}: command not found`),
    row('prototype name', ['sh', '-c', 'syscall constructor; set -o __proto__; export toString=1; env | grep toString; case a in [[:valueOf:]]) ;; esac'], 0, /^syscall: unknown system call constructor \(try: syscall help\)\nsh: line 1: set: __proto__: invalid option name\ntoString=1\n$/),
  ],
  sleep: [
    row('no arguments', ['sleep'], 2, usage('sleep', 'missing operand')),
    unknown('sleep'),
    row('out of range', ['sleep', '-1'], 2, usage('sleep', "invalid time interval '-1'")),
    row('long string', ['sleep', LONG], 2, usage('sleep', `invalid time interval '${X}'`)),
    row('runs until killed', ['sleep', HUGE], 137, /^$/),
    row('prototype name', ['sleep', '1constructor'], 2, usage('sleep', "invalid time interval '1constructor'")),
  ],
  sort: [
    unknown('sort'),
    row('out of range', ['sort', '-k', HUGE], 0, /^a\nb\n$/, 'b\na\n'),
    row('bad input', ['sort', '-k', '1x'], 2, usage('sort', "stray character in field spec: invalid field specification '1x'")),
    tooLong('sort', [LONG], 2, `sort: cannot read: ${X}: File name too long`),
    row('prototype name', ['sort', '-k', 'constructor'], 2, usage('sort', "invalid number at field start: invalid count at start of 'constructor'")),
  ],
  strace: [
    row('no arguments', ['strace'], 2, usage('strace', "missing required argument 'command'")),
    unknown('strace'),
    tooLong('strace', [LONG], 1, `strace: ${X}: command not found`),
    tooLong('strace', ['-o', LONG, 'true'], 1, `strace: can't fopen '${X}': File name too long`),
    row('prototype name', ['strace', '__proto__'], 1, /^strace: __proto__: command not found\n$/),
  ],
  sg: [
    row('no arguments', ['sg'], 1, /^Usage: sg group \[\[-c\] command\]\n$/),
    row('unknown option', ['sg', '--bogus-option'], 1, /^Usage: sg group \[\[-c\] command\]\n$/),
    row('out of range', ['sg', HUGE, 'id'], 1, /^sg: provided group is not a valid group name\n$/),
    row('long string', ['sg', LONG, 'id'], 1, /^sg: provided group is not a valid group name\n$/),
    row('prototype name', ['sg', 'constructor', 'id'], 1, /^sg: group 'constructor' does not exist\n$/),
    row('prototype name', ['sg', 'root', '-c', 'id __proto__'], 1, /^id: '__proto__': no such user\n$/),
  ],
  sysctl: [
    row('unknown option', ['sysctl', '--bogus-option'], 2, /./),
    // procps-ng 4.0.2's words and statuses.
    row('bad input', ['sysctl', 'net.ipv4.no_such_key'], 1, /^sysctl: cannot stat \/proc\/sys\/net\/ipv4\/no_such_key: No such file or directory\n$/),
    row('out of range', ['sysctl', '-w', `net.ipv4.tcp_syn_retries=${HUGE}`], 1, /^sysctl: setting key "net\.ipv4\.tcp_syn_retries": Invalid Argument\n$/),
    tooLong('sysctl', [LONG], 1, `sysctl: cannot stat /proc/sys/${X}: File name too long`),
    row('prototype name', ['sysctl', 'net.ipv4.__proto__'], 1, /^sysctl: cannot stat \/proc\/sys\/net\/ipv4\/__proto__: No such file or directory\n$/),
  ],
  su: [
    unknown('su'),
    row('prototype name', ['su', '-G', '__proto__', '0'], 1, /^su: group __proto__ does not exist\n$/),
    row('out of range', ['su', '-G', HUGE, '0'], 1, new RegExp(`^su: group ${HUGE} does not exist\n$`)),
    row('no arguments', ['su'], 0, /^$/, ''),
    row('out of range', ['su', HUGE, '-c', 'id'], 1, new RegExp(`^su: user ${HUGE} does not exist\\n$`)),
    row('out of range', ['su', '1000', '-c', `exit ${HUGE}`], 2, new RegExp(`^sh: line 1: exit: ${HUGE}: numeric argument required\\n$`)),
    tooLong('su', [LONG, '-c', 'id'], 1, `su: user ${X} does not exist`),
    row('prototype name', ['su', 'constructor', '-c', 'id'], 1, /^su: user constructor does not exist\n$/),
  ],
  tail: [unknown('tail'), row('out of range', ['tail', '-c', HUGE], 2, usage('tail', `invalid number of bytes: '${HUGE}': Range Error`)), tooLong('tail', [LONG], 1, `tail: cannot open '${X}' for reading: File name too long`), row('runs until killed', ['tail', '-f', '/etc/hostname'], 137, /^a\n$/), row('prototype name', ['tail', '-c', '1__proto__'], 2, usage('tail', "invalid number of bytes: '1__proto__'"))],
  tc: [
    row('unknown option', ['tc', '--bogus-option'], 255, /^Option "--bogus-option" is unknown, try "tc -help"\.\n$/),
    row('no arguments', ['tc', 'qdisc', 'add'], 1, /^Cannot find device "\(null\)"\n$/),
    row('out of range', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'pfifo', 'limit', HUGE], 1, /./),
    tooLong('tc', ['qdisc', 'add', 'dev', LONG, 'root', 'pfifo'], 1, `Cannot find device "${X}"`),
    row('no arguments', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'tbf'], 1, /^tbf: the "rate" parameter is mandatory\.\ntbf: the "burst" parameter is mandatory\.\ntbf: either "limit" or "latency" is required\.\nUsage: \.\.\. tbf /),
    row('no arguments', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'delay'], 255, /^Command line is not complete\. Try option "help"\n$/),
    row('out of range', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'loss', '101%'], 1, /^Illegal "loss percent"\n$/),
    row('out of range', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'delay', `${HUGE}s`], 1, /^Illegal "latency"\n$/),
    row('out of range', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'gap', HUGE], 1, /^Illegal "gap"\n$/),
    row('out of range', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'tbf', 'rate', '1mbit', 'burst', HUGE, 'limit', '1'], 1, new RegExp(`^tbf: illegal value for "burst": "${HUGE}"\\n$`)),
    row('bad input', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'rate', 'fast'], 1, /^Illegal "rate"\n$/),
    row('bad input', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', 'reorder', '5%'], 1, /^reordering not possible without specifying some delay\nUsage: \.\.\. netem /),
    row('bad input', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'tbf', 'rate', '1mbit', 'burst', '1k', 'limit', '1', 'peakrate', '2mbit'], 1, /^tbf: "peakrate" is not supported by tunlab's tbf/),
    row('long string', ['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'netem', LONG], 1, new RegExp(`^What is "${X}"\\?\\nUsage: \\.\\.\\. netem `)),
    row('prototype name', ['tc', 'qdisc', 'show', 'dev', 'toString'], 1, /^Cannot find device "toString"\n$/),
  ],
  journey: [
    row('no arguments', ['journey'], 2, usage('journey', "missing required argument 'command'")),
    unknown('journey'),
    row('out of range', ['journey', '-b', HUGE, 'true'], 2, usage('journey', `option '-b, --buffer <events>' argument '${HUGE}' is invalid. --buffer must be from 1 to 4194304`)),
    row('bad input', ['journey', '-f', 'icmp and', 'true'], 1, /^journey: can't parse filter expression: syntax error\n$/),
    tooLong('journey', [LONG], 127, `journey: ${X}: command not found`),
    row('prototype name', ['journey', 'constructor'], 127, /^journey: constructor: command not found\n$/),
  ],
  topology: [unknown('topology'), tooMany('topology'), row('bad input', ['topology', '--format', 'svg'], 2, usage('topology', "option '-f, --format <format>' argument 'svg' is invalid. Allowed choices are text, mermaid, dot.")),
    row('prototype name', ['topology', '--format', 'constructor'], 2, usage('topology', "option '-f, --format <format>' argument 'constructor' is invalid. Allowed choices are text, mermaid, dot.")),
  ],
  tcpdump: [
    unknown('tcpdump'),
    row('bad address', ['tcpdump', '-i', 'nosuch0', '-c', '1'], 1, /^tcpdump: nosuch0: No such device exists\n/),
    row('out of range', ['tcpdump', '-c', HUGE], 2, usage('tcpdump', `invalid packet count ${HUGE}`)),
    row('out of range', ['tcpdump', '-s', HUGE], 2, usage('tcpdump', `invalid snaplen ${HUGE} \\(must be >= 0 and <= 262144\\)`)),
    tooLong('tcpdump', ['-r', LONG], 1, `tcpdump: ${X}: File name too long`),
    row('runs until killed', ['tcpdump'], 137, /listening on \/dev\/net\/ipro1000\/0, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes\n$/),
    row('prototype name', ['tcpdump', 'port', 'constructor'], 1, /^tcpdump: unknown port 'constructor'\n$/),
  ],
  tee: [unknown('tee'), row('long string', ['tee', LONG], 1, new RegExp(`^tee: ${X}: File name too long\\n$`), ''), row('prototype name', ['tee', '/tmp/__proto__'], 0, /^hello\n$/, 'hello\n')],
  touch: [row('no arguments', ['touch'], 2, usage('touch', "missing required argument 'file'")), unknown('touch'), tooLong('touch', [LONG], 1, `touch: cannot touch '${X}': File name too long`), row('prototype name', ['touch', '/tmp/constructor'], 0, /^$/)],
  true: [row('unknown option', ['true', '--bogus-option'], 0, /^$/), row('prototype name', ['true', '__proto__'], 0, /^$/)],
  tr: [
    row('no arguments', ['tr'], 2, usage('tr', 'missing operand')),
    unknown('tr'),
    row('out of range', ['tr', 'a', `[b*${HUGE}]`], 1, new RegExp(`^tr: invalid repeat count '${HUGE}' in \\[c\\*n\\] construct\n$`)),
    row('long string', ['tr', LONG, 'y'], 0, /^yyy\n$/, 'xxx\n'),
    row('prototype name', ['tr', '[:constructor:]', 'x'], 1, /^tr: invalid character class 'constructor'\n$/, ''),
  ],
  tty: [unknown('tty'), tooMany('tty'), row('no arguments', ['tty'], 1, /^not a tty\n$/), row('prototype name', ['tty', 'toString'], 2, usage('tty', 'too many arguments\\. Expected 0 arguments but got 1\\.'))],
  tunrelay: [
    row('no arguments', ['tunrelay'], 2, usage('tunrelay', "missing required argument 'peer'")),
    unknown('tunrelay'),
    row('bad address', ['tunrelay', '999.1.1.1'], 2, /^tunrelay: bad peer 999\.1\.1\.1\n$/),
    row('out of range', ['tunrelay', '-p', '70000', '10.0.0.2'], 2, usage('tunrelay', "option '-p, --port <port>' argument '70000' is invalid\\. port must be from 1 to 65535")),
    tooLong('tunrelay', [LONG], 2, `tunrelay: bad peer ${X}`),
    // An over-long interface name is cut to 15 characters, as TUNSETIFF does (reference §5.2).
    row('runs until killed', ['tunrelay', '-d', LONG, '10.0.0.2'], 137, /^tunrelay: x{15} <-> udp 10\.0\.0\.2:5555 \(local port 5555\)\n$/),
    row('prototype name', ['tunrelay', 'constructor'], 2, /^tunrelay: bad peer constructor\n$/),
  ],
  tunreply: [
    row('no arguments', ['tunreply'], 2, /^tunreply: give a device to open, or --create NAME\n$/),
    unknown('tunreply'),
    row('bad address', ['tunreply', '--mac', 'zz:zz', '-t', '-c', 'tap/%d'], 2, /^tunreply: invalid MAC address zz:zz\n$/),
    row('out of range', ['tunreply', '-n', HUGE, '-c', 'tun/%d'], 2, usage('tunreply', `option '-n, --count <n>' argument '${HUGE}' is invalid\\. count must be from 1 to 1000000000`)),
    tooLong('tunreply', [LONG], 1, `tunreply: ${X}: File name too long`),
    row('runs until killed', ['tunreply', '-c', 'tun/%d'], 137, /^tunreply: answering on tun\/0 \(tun\)\n$/),
    row('prototype name', ['tunreply', '--mac', 'constructor', '-t', '-c', 'tap/%d'], 2, /^tunreply: invalid MAC address constructor\n$/),
  ],
  uniq: [
    unknown('uniq'),
    row('out of range', ['uniq', '-f', HUGE], 2, usage('uniq', `option '-f, --skip-fields <n>' argument '${HUGE}' is invalid\\. number of fields to skip must be from 0 to 9007199254740991`)),
    tooLong('uniq', [LONG], 1, `uniq: ${X}: File name too long`),
    row('prototype name', ['uniq', '__proto__'], 1, /^uniq: __proto__: No such file or directory\n$/),
  ],
  udpclient: [
    row('no arguments', ['udpclient'], 2, usage('udpclient', "missing required argument 'host'")),
    unknown('udpclient'),
    row('bad address', ['udpclient', '999.1.1.1', '7'], 2, /^udpclient: cannot resolve 999\.1\.1\.1\n$/),
    row('out of range', ['udpclient', '127.0.0.1', '70000'], 2, usage('udpclient', "command-argument value '70000' is invalid for argument 'port'\\. port must be from 1 to 65535")),
    tooLong('udpclient', [LONG, '7'], 2, `udpclient: cannot resolve ${X}`),
    row('prototype name', ['udpclient', '__proto__', '7'], 2, /^udpclient: cannot resolve __proto__\n$/),
  ],
  udpserver: [
    unknown('udpserver'),
    row('bad address', ['udpserver', '-b', '999.1.1.1'], 2, /^udpserver: cannot resolve 999\.1\.1\.1\n$/),
    row('out of range', ['udpserver', '-p', '70000'], 2, usage('udpserver', "option '-p, --port <port>' argument '70000' is invalid\\. port must be from 1 to 65535")),
    row('out of range', ['udpserver', '-r', HUGE], 2, usage('udpserver', `option '-r, --rcvbuf <bytes>' argument '${HUGE}' is invalid\\. rcvbuf must be from 2048 to 4194304`)),
    tooLong('udpserver', ['-b', LONG], 2, `udpserver: cannot resolve ${X}`),
    row('runs until killed', ['udpserver'], 137, /^udpserver: listening on 0\.0\.0\.0:7777\n$/),
    row('prototype name', ['udpserver', '-b', 'constructor'], 2, /^udpserver: cannot resolve constructor\n$/),
  ],
  uname: [unknown('uname'), tooMany('uname'), row('prototype name', ['uname', 'constructor'], 2, usage('uname', 'too many arguments\\. Expected 0 arguments but got 1\\.'))],
  uptime: [unknown('uptime'), tooMany('uptime'), row('prototype name', ['uptime', 'hasOwnProperty'], 2, usage('uptime', 'too many arguments\\. Expected 0 arguments but got 1\\.'))],
  wc: [unknown('wc'), tooLong('wc', [LONG], 1, `wc: ${X}: File name too long`), row('prototype name', ['wc', '__proto__'], 1, /^wc: __proto__: No such file or directory\n$/)],
  // wg's status is 1 for every failure, usage included (wg.c); its subcommands read words, not options.
  wg: [
    row('unknown option', ['wg', '--bogus-option'], 1, /^Invalid subcommand: `--bogus-option'\nUsage: wg <cmd> \[<args>\]\n/),
    row('no arguments', ['wg', 'set'], 1, /^Usage: wg set <interface> \[listen-port <port>\] /),
    row('bad address', ['wg', 'set', 'wg0', 'peer', 'fGcanAjsP/oOQN8uVThOBn/jIBnkyI8f7Jt4H2UQ6zw=', 'endpoint', '999.1.1.1:1'], 1, /^Name or service not known: `999\.1\.1\.1:1'\n$/),
    row('out of range', ['wg', 'set', 'wg0', 'fwmark', HUGE], 1, new RegExp(`^Fwmark is neither 0/off nor 0-0xffffffff: \`${HUGE}'\n$`)),
    row('long string', ['wg', 'show', LONG], 1, /^Unable to access interface: Protocol not supported\n$/),
    row('bad input', ['wg', 'pubkey'], 1, /^wg: Key is not the correct length or format\n$/, 'not a key\n'),
    row('prototype name', ['wg', 'toString'], 1, /^Invalid subcommand: `toString'\nUsage: wg <cmd> \[<args>\]\n/),
  ],
  // wg-quick dies with status 1 and its usage text for anything but up|down|save|strip and a file.
  'wg-quick': [
    row('unknown option', ['wg-quick', '--bogus-option'], 1, /^Usage: wg-quick \[ up \| down \| save \| strip \] /),
    row('no arguments', ['wg-quick'], 1, /^Usage: wg-quick /),
    row('long string', ['wg-quick', 'up', LONG], 1, new RegExp(`^wg-quick: \`${X}' does not exist\n$`)),
    row('bad input', ['wg-quick', 'down', 'nope'], 1, /^wg-quick: `\/etc\/wireguard\/nope\.conf' does not exist\n$/),
    row('prototype name', ['wg-quick', 'up', 'valueOf'], 1, /^wg-quick: `\/etc\/wireguard\/valueOf\.conf' does not exist\n$/),
  ],
  // As wireguard-go's main.go: a usage error prints the usage and returns 0, any word is an
  // interface name (so an "option" makes a daemon for it, which prints nothing by default).
  'wireguard-go': [
    row('unknown option', ['wireguard-go', '--bogus-option'], 0, /^$/),
    row('no arguments', ['wireguard-go'], 0, /^Usage: wireguard-go \[-f\/--foreground\] INTERFACE-NAME\n$/),
    row('long string', ['wireguard-go', LONG], 1, /^ERROR: \(x{10000}\) \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Failed to create TUN device: interface name too long: file name too long\n$/),
    row('runs until killed', ['wireguard-go', '-f', 'wg9'], 137, /^$/),
    row('prototype name', ['wireguard-go', 'hasOwnProperty'], 0, /^$/),
  ],
  which: [unknown('which'), row('no arguments', ['which'], 1, /^$/), row('long string', ['which', LONG], 1, /^$/), row('prototype name', ['which', 'constructor'], 1, /^$/)],
  xargs: [
    unknown('xargs'),
    row('no arguments', ['xargs'], 0, /^a b\n$/, 'a\nb\n'),
    row('out of range', ['xargs', '-n', HUGE], 2, usage('xargs', `option '-n, --max-args <max-args>' argument '${HUGE}' is invalid\\. max-args must be from 1 to 9007199254740991`)),
    row('long string', ['xargs', LONG], 127, new RegExp(`^xargs: ${X}: No such file or directory\n$`), 'a\n'),
    row('prototype name', ['xargs', '-I', '__proto__', 'echo', 'x__proto__'], 0, /^xhi\n$/, 'hi\n'),
  ],
  yes: [unknown('yes'), row('runs until killed', ['yes', LONG], 137, /^(x{10000}\n){20}/), row('prototype name', ['yes', '--__proto__'], 2, usage('yes', "unknown option '--__proto__'"))],
};
