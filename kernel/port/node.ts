// The host port on Node.js: the only file below kernel/world that may import node: modules.

import * as fs from 'node:fs';
import type * as net from 'node:net';
import type { GuestThread, HostFiles, HostPort, RealTcpServer, RealTcpSocket, RealUdpSocket } from './port.js';

/**
 * The modules only some worlds use (real sockets for an uplink's traffic, a thread for --load, real
 * randomness in real time), loaded when first used: loading them all took a few ms of every start.
 */
const lazyModule = <T>(load: () => T): (() => T) => {
  let m: T | undefined;
  return () => (m ??= load());
};
const dgram = lazyModule(() => process.getBuiltinModule('node:dgram'));
const netModule = lazyModule(() => process.getBuiltinModule('node:net'));
const threads = lazyModule(() => process.getBuiltinModule('node:worker_threads'));
const crypto = lazyModule(() => process.getBuiltinModule('node:crypto'));

function udpSocket(): RealUdpSocket {
  const s = dgram().createSocket('udp4');
  const settle = (start: (done: () => void) => void) =>
    new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message));
      s.once('error', onError);
      start(() => {
        s.off('error', onError);
        resolve();
      });
    });
  let open = true;
  let sending = 0;
  const finish = () => {
    if (!open && sending === 0) s.close();
  };
  return {
    bind: (port, address) => settle((done) => s.bind(port, address, done)),
    connect: (port, address) => settle((done) => s.connect(port, address, done)),
    send: (data, port, address, done) => {
      sending++;
      const sent = () => {
        sending--;
        finish();
        done?.();
      };
      if (port === undefined) s.send(data, sent);
      else s.send(data, port, address, sent);
    },
    // A copy: the datagram outlives this callback in the world's queues.
    onMessage: (fn) => void s.on('message', (msg, rinfo) => fn(new Uint8Array(msg), rinfo.address, rinfo.port)),
    onError: (fn) => void s.on('error', (e: NodeJS.ErrnoException) => fn(e.code ?? e.message)),
    localPort: () => s.address().port,
    localAddress: () => s.address().address,
    remote: () => {
      try {
        const r = s.remoteAddress();
        return { address: r.address, port: r.port };
      } catch {
        return null;
      }
    },
    close: () => {
      if (!open) return;
      open = false;
      finish();
    },
  };
}

function wrapTcp(s: net.Socket): RealTcpSocket {
  let error: string | null = null;
  s.on('error', (e: NodeJS.ErrnoException) => void (error = e.code ?? e.message));
  return {
    write: (data) => s.write(data),
    end: () => void s.end(),
    destroy: () => void s.destroy(),
    pause: () => void s.pause(),
    resume: () => void s.resume(),
    // A copy: the bytes outlive this callback in the world's queues.
    onData: (fn) => void s.on('data', (d: Buffer) => fn(new Uint8Array(d))),
    onEnd: (fn) => void s.on('end', fn),
    onDrain: (fn) => void s.on('drain', fn),
    onClose: (fn) => void s.on('close', () => fn(error)),
  };
}

function tcpConnect(port: number, address: string): Promise<RealTcpSocket> {
  return new Promise((resolve, reject) => {
    const s = netModule().connect({ port, host: address, allowHalfOpen: true });
    const onError = (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message));
    s.once('error', onError);
    s.once('connect', () => {
      s.off('error', onError);
      resolve(wrapTcp(s));
    });
  });
}

function tcpListen(port: number, address: string, onConnection: (socket: RealTcpSocket) => void): Promise<RealTcpServer> {
  return new Promise((resolve, reject) => {
    const server = netModule().createServer({ allowHalfOpen: true, pauseOnConnect: true }, (s) => onConnection(wrapTcp(s)));
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
    server.listen(port, address, () => resolve({ close: () => void server.close() }));
  });
}

const files: HostFiles = {
  constants: fs.constants,
  realpath: (p) => fs.realpathSync(p),
  stat: (p) => fs.statSync(p, { throwIfNoEntry: false }),
  lstat: (p) => fs.lstatSync(p, { throwIfNoEntry: false }),
  fstat: (fd) => fs.fstatSync(fd),
  open: (p, flags, mode) => fs.openSync(p, flags, mode),
  close: (fd) => fs.closeSync(fd),
  read: (fd, buf, off, len, pos) => fs.readSync(fd, buf, off, len, pos),
  write: (fd, buf, off, len, pos) => fs.writeSync(fd, buf, off, len, pos),
  ftruncate: (fd, len) => fs.ftruncateSync(fd, len),
  fchmod: (fd, mode) => fs.fchmodSync(fd, mode),
  mkdir: (p, mode) => fs.mkdirSync(p, mode),
  rmdir: (p) => fs.rmdirSync(p),
  unlink: (p) => fs.unlinkSync(p),
  rename: (a, b) => fs.renameSync(a, b),
  symlink: (target, p) => fs.symlinkSync(target, p),
  readlink: (p) => fs.readlinkSync(p, 'utf8'),
  readdir: (p) => fs.readdirSync(p),
};

/**
 * A guest in a worker thread. A call goes out as a message; the guest then sleeps on a shared word
 * (Atomics.wait) until the answer is posted and the word set, and takes the answer synchronously
 * (receiveMessageOnPort): its calls cost no turn of its own event loop.
 */
function startGuest(entry: string, start: unknown): GuestThread {
  const { MessageChannel, receiveMessageOnPort, Worker } = threads();
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(entry, { workerData: { start, channel: port2, flag }, transferList: [port2], stdout: false, stderr: false });
  let onCall: (call: unknown) => void = () => {};
  let onEnd: (end: unknown) => void = () => {};
  let ended = false;
  const end = (e: unknown) => {
    if (ended) return;
    ended = true;
    port1.close();
    onEnd(e);
  };
  const take = (m: unknown) => (m && typeof m === 'object' && 'end' in m ? end(m) : onCall(m));
  // What the thread posted before it stopped is read first: its last word may be on its way still.
  const drain = () => {
    for (let m = receiveMessageOnPort(port1); m && !ended; m = receiveMessageOnPort(port1)) take(m.message);
  };
  port1.on('message', take);
  worker.on('error', (e) => {
    drain();
    end({ end: 'crash', error: `${e.name}: ${e.message}` });
  });
  worker.on('exit', (code) => {
    drain();
    end({ end: 'crash', error: `the thread exited (${code})` });
  });
  return {
    onCall: (fn) => void (onCall = fn),
    onEnd: (fn) => void (onEnd = fn),
    answer: (reply) => {
      port1.postMessage(reply);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    },
    terminate: () => {
      ended = true;
      port1.close();
      void worker.terminate();
    },
  };
}

export const nodePort: HostPort = {
  startGuest,
  files,
  immediate: (fn) => void setImmediate(fn),
  timeout: (ms, fn) => {
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
  monotonicNs: () => process.hrtime.bigint(),
  epochNs: () => Date.now() * 1e6,
  randomBytes: (n) => new Uint8Array(crypto().randomBytes(n)),
  udpSocket,
  tcpConnect,
  tcpListen,
};
