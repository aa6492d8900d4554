/**
 * Free-port helpers for end-to-end tests. Ports are picked at random in 30000-60000 and checked by
 * binding on 127.0.0.1, so parallel runs rarely collide (the check is best effort: a port can be taken
 * between the check and its use, which is why callers should pick ports as late as possible).
 */
import dgram from 'node:dgram';
import net from 'node:net';

export type PortKind = 'udp' | 'tcp' | 'both';

const LOW = 30000;
const HIGH = 60000;
const HOST = '127.0.0.1';

/** Ports handed out by this process, never handed out twice. */
const handedOut = new Set<number>();

function canBindUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, HOST, () => {
      socket.close(() => { resolve(true); });
    });
  });
}

function canBindTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => { resolve(false); });
    server.listen({ port, host: HOST, exclusive: true }, () => {
      server.close(() => { resolve(true); });
    });
  });
}

/** True when `port` can be bound on 127.0.0.1 for the given kind. */
export async function isPortFree(port: number, kind: PortKind): Promise<boolean> {
  if (kind !== 'tcp' && !(await canBindUdp(port))) return false;
  if (kind !== 'udp' && !(await canBindTcp(port))) return false;
  return true;
}

function randomPort(span: number, even: boolean): number {
  const room = HIGH - LOW - span;
  let port = LOW + Math.floor(Math.random() * room);
  if (even && port % 2 === 1) port -= 1;
  return port;
}

/** A random port in 30000-60000 that binds on 127.0.0.1 for `kind` ('both' = UDP and TCP). */
export async function freePort(kind: PortKind = 'both'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = randomPort(1, false);
    if (handedOut.has(port)) continue;
    if (await isPortFree(port, kind)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free ${kind} port found in ${LOW}-${HIGH}`);
}

/**
 * An even base port with `count` consecutive free ports from it (base .. base+count-1), checked on
 * `kind` (UDP by default: RTP/RTCP pairs, RFC 3550 §11 puts RTP on the even port).
 */
export async function freePortRange(count: number, kind: PortKind = 'udp'): Promise<number> {
  if (count < 1) throw new Error(`freePortRange: count must be >= 1, got ${count}`);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const base = randomPort(count, true);
    let ok = true;
    for (let port = base; port < base + count; port += 1) {
      if (handedOut.has(port) || !(await isPortFree(port, kind))) {
        ok = false;
        break;
      }
    }
    if (ok) {
      for (let port = base; port < base + count; port += 1) handedOut.add(port);
      return base;
    }
  }
  throw new Error(`no free range of ${count} ${kind} ports found in ${LOW}-${HIGH}`);
}
