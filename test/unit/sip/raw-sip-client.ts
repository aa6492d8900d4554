import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { parse, type SipMessage } from 'sip';
import { StreamFramer } from '../../../src/sip/stream-framer.js';
import { MessageInbox } from '../../support/message-inbox.js';

/** A tiny SIP peer for tests: sends raw text over UDP or TCP and collects what comes back, parsed. */
export class RawSipClient {
  private readonly inbox = new MessageInbox<SipMessage>();

  private constructor(
    readonly transport: 'UDP' | 'TCP',
    private serverPort: number,
    private readonly udp: UdpSocket | undefined,
    private readonly tcp: TcpSocket | undefined,
  ) {}

  /** `bindAddress`: another loopback address (127.0.0.2 …) stands for another host. */
  static async udp(serverPort: number, bindAddress = '127.0.0.1'): Promise<RawSipClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, bindAddress, resolve));
    const client = new RawSipClient('UDP', serverPort, socket, undefined);
    socket.on('message', (data) => {
      client.push(data);
    });
    return client;
  }

  static async tcp(serverPort: number): Promise<RawSipClient> {
    const socket = connect({ host: '127.0.0.1', port: serverPort });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawSipClient('TCP', serverPort, undefined, socket);
    const framer = new StreamFramer();
    socket.on('data', (chunk: Buffer) => {
      for (const m of framer.push(chunk) ?? []) client.push(m);
    });
    return client;
  }

  /** Where send() goes from now on (e.g. a client acting as a trunk, created before the engine port was known). */
  sendTo(serverPort: number): void {
    this.serverPort = serverPort;
  }

  get port(): number {
    return this.udp ? this.udp.address().port : (this.tcp?.localPort ?? 0);
  }

  send(text: string | Buffer): void {
    const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    if (this.udp) this.udp.send(data, this.serverPort, '127.0.0.1');
    else this.tcp?.write(data);
  }

  /** Everything received, in order. */
  get received(): readonly SipMessage[] {
    return this.inbox.received;
  }

  /** The next not-yet-consumed message matching `match`, waiting up to `timeoutMs`. */
  next(match: (m: SipMessage) => boolean, timeoutMs = 3000): Promise<SipMessage> {
    return this.inbox.next(match, timeoutMs, 'a SIP message');
  }

  count(match: (m: SipMessage) => boolean): number {
    return this.received.filter(match).length;
  }

  close(): void {
    this.udp?.close();
    this.tcp?.destroy();
    this.inbox.wakeAll();
  }

  private push(data: Buffer): void {
    const m = parse(data);
    if (!m) return;
    this.inbox.push(m);
  }
}

export const status = (code: number, method?: string) => (m: SipMessage): boolean =>
  m.status === code && (method === undefined || m.headers.cseq?.method === method);

export const request = (method: string) => (m: SipMessage): boolean => m.method === method;
