import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logging/logger.js';

/** Longest request target looked at; a longer one is refused before it is parsed. */
const MAX_TARGET = 8 * 1024;

/**
 * The URL of an upgrade request, or undefined when its target cannot be parsed (`GET //[ HTTP/1.1`
 * is accepted by Node's HTTP parser but makes `new URL` throw: in an 'upgrade' listener that throw
 * would be an uncaught exception, one per packet).
 */
export function upgradeUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? '/';
  if (target.length > MAX_TARGET) return undefined;
  try {
    return new URL(target, 'http://localhost');
  } catch {
    return undefined;
  }
}

/**
 * The one listener that answers WebSocket upgrades nobody serves: an unparsable target gets 400, a
 * path other than `paths` 404, and the socket is closed. Without it Node leaves such a socket open
 * once any 'upgrade' listener exists, so unclaimed upgrades would hold connection slots for ever.
 * Returns the function that removes the listener.
 */
export function guardUpgrades(server: Server, paths: readonly string[], logger: Logger): () => void {
  const listener = (req: IncomingMessage, socket: Duplex): void => {
    const url = upgradeUrl(req);
    if (url !== undefined && paths.includes(url.pathname)) return;
    // A raw socket with no 'error' listener would end the process on a reset.
    socket.on('error', () => undefined);
    const status = url === undefined ? '400 Bad Request' : '404 Not Found';
    logger.debug('websocket upgrade refused', { status });
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  };
  server.on('upgrade', listener);
  return () => {
    server.off('upgrade', listener);
  };
}
