/**
 * A TCP relay in front of the server's HTTP port for browser tests that need the network to fail:
 * the page is opened through it (its origin is the relay's), so its SIP WebSocket (`GET /sip`) goes
 * through it too, and the test can drop that socket as a network loss would (no close frame, both TCP
 * sides destroyed) and refuse new ones for a while. Everything else (pages, API, /ws/agent) is relayed
 * untouched. Chromium opens every WebSocket on a connection of its own, so the first bytes of a
 * connection tell a SIP socket from the rest.
 */
import net from 'node:net';

export class SipSocketCutter {
  /** Each SIP WebSocket as its pair of sockets: the page's and the server's. */
  private readonly sipPairs = new Set<readonly net.Socket[]>();
  private readonly all = new Set<net.Socket>();
  private refusing = false;
  /** SIP WebSocket upgrades relayed so far (a reconnect counts one more). */
  sipConnections = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => {
      this.accept(client);
    });
  }

  /** Listens on 127.0.0.1, an OS-chosen port, relaying to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<SipSocketCutter> {
    const server = net.createServer();
    const cutter = new SipSocketCutter(server, targetPort);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    return cutter;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** http://127.0.0.1:<relay port>: open the pages here. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** SIP WebSocket connections open now. */
  get openSipSockets(): number {
    return this.sipPairs.size;
  }

  /**
   * Drops every open SIP WebSocket connection (both sides destroyed, as a cable pulled) and, with
   * `refuse`, every new one until `allow()`. Returns how many were dropped.
   */
  drop(options: { refuse?: boolean } = {}): number {
    if (options.refuse === true) this.refusing = true;
    const dropped = this.sipPairs.size;
    for (const pair of [...this.sipPairs]) for (const socket of pair) socket.destroy();
    return dropped;
  }

  /** New SIP WebSocket connections are relayed again. */
  allow(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    for (const socket of this.all) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    this.all.add(client);
    client.on('error', () => undefined);
    client.once('close', () => this.all.delete(client));
    client.once('data', (first: Buffer) => {
      const sip = /^GET \/sip[ ?]/.test(first.toString('latin1', 0, 16));
      if (sip && this.refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      this.all.add(upstream);
      upstream.on('error', () => undefined);
      const pair = [client, upstream] as const;
      if (sip) {
        this.sipConnections += 1;
        this.sipPairs.add(pair);
      }
      const end = (): void => {
        this.sipPairs.delete(pair);
        for (const s of pair) {
          this.all.delete(s);
          s.destroy();
        }
      };
      client.once('close', end);
      upstream.once('close', end);
      upstream.write(first);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}
