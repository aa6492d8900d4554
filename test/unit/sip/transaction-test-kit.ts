import type { SipOutgoingMessage } from 'sip';
import sinon from 'sinon';
import { silentLogger, type Logger } from '../../../src/logging/logger.js';
import type { Clock, Timer } from '../../../src/shared/clock.js';
import { validateMessage } from '../../../src/sip/request-validator.js';
import type { SipRequest, SipResponse } from '../../../src/sip/sip-message.js';
import { sipTimers, type Endpoint, type TransportKind } from '../../../src/sip/sip-types.js';

/** RFC 3261 timer values at T1 = 500 ms (the defaults): T2 = 4 s, T4 = 5 s, 64*T1 = 32 s. */
export const TIMERS = sipTimers(500);
export const { t1: T1, t2: T2, t4: T4, txTimeout: TX } = TIMERS;

interface FakeTimer {
  readonly ms: number;
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A Clock whose time only moves when the test says so. It records every running timer with the delay
 * it was started with, so a test can say "Timers G (T1) and H (64*T1) run" without sleeping.
 */
export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = ++this.seq;
    this.timers.set(id, { ms, due: this.time + ms, seq: id, fn });
    return id as unknown as Timer;
  }

  clearTimeout(timer: Timer): void {
    this.timers.delete(timer as unknown as number);
  }

  /** The delays of the running timers, smallest first. */
  running(): number[] {
    return [...this.timers.values()].map((t) => t.ms).sort((a, b) => a - b);
  }

  /** Fires the timer due first (advancing time to it); false when none runs. */
  fireNext(): boolean {
    const next = [...this.timers.values()].sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
    if (!next) return false;
    this.timers.delete(next.seq);
    this.time = next.due;
    next.fn();
    return true;
  }

  /** Fires every timer until none is left (each one started meanwhile too); returns how many fired. */
  runAll(limit = 1000): number {
    let fired = 0;
    while (fired < limit && this.fireNext()) fired++;
    return fired;
  }
}

/** Expected running timers by RFC name → delay; compared as the sorted list of delays. */
export function delays(timers: Readonly<Record<string, number>>): number[] {
  return Object.values(timers).sort((a, b) => a - b);
}

/** What the transport was asked to send, and a switch to make the next sends fail. */
export class FakeTransport {
  readonly sent: SipOutgoingMessage[] = [];
  private failures = 0;

  /** The next `count` sends reject, as a socket error would. */
  failNext(count = 1): void {
    this.failures = count;
  }

  send = (message: SipOutgoingMessage): Promise<void> => {
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('EHOSTUNREACH'));
    }
    this.sent.push(message);
    return Promise.resolve();
  };

  /** What went out since the last call, as `INVITE`, `ACK`, `180`… */
  take(): string[] {
    const out = this.sent.map((m) => (m.status === undefined ? (m.method ?? '?') : String(m.status)));
    this.sent.length = 0;
    return out;
  }
}

/** Lets rejected sends reach their handlers (promise callbacks), without moving time. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** A logger whose warn/error calls the test can read. */
export function spyLogger(): { logger: Logger; errors: sinon.SinonSpy; warnings: sinon.SinonSpy } {
  const logger = silentLogger();
  return { logger, errors: sinon.spy(logger, 'error'), warnings: sinon.spy(logger, 'warn') };
}

const SOURCE = (transport: TransportKind): Endpoint => ({ transport, address: '192.0.2.10', port: 5070, ...(transport === 'tcp' ? { connectionId: 1 } : {}) });

export const PEER: Endpoint = SOURCE('udp');
export const PEER_TCP: Endpoint = SOURCE('tcp');

/** A request as the transport hands it over (parsed and validated like one from the network). */
export function incoming(method: string, transport: TransportKind = 'udp', branch = 'z9hG4bKtx1'): SipRequest {
  const cseqMethod = method === 'ACK' ? 'INVITE' : method;
  const raw = [
    `${method} sip:12345@192.0.2.1 SIP/2.0`,
    `Via: SIP/2.0/${transport.toUpperCase()} 192.0.2.10:5070;branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:13812345678@192.0.2.10>;tag=caller',
    `To: <sip:12345@192.0.2.1>${method === 'ACK' ? ';tag=callee' : ''}`,
    'Call-ID: call-1@192.0.2.10',
    `CSeq: 1 ${method === 'ACK' ? 'ACK' : cseqMethod}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const inbound = validateMessage(Buffer.from(raw, 'latin1'), SOURCE(transport));
  if (inbound.kind !== 'request') throw new Error(`test request did not validate: ${inbound.kind}`);
  return inbound.request;
}

/** A response to one of our requests, as parsed from the network. */
export function responseTo(status: number, method: string, branch = 'z9hG4bKout1'): SipResponse {
  const raw = [
    `SIP/2.0 ${String(status)} Status`,
    `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`,
    'From: <sip:12345@192.0.2.1>;tag=us',
    `To: <sip:13812345678@192.0.2.10>${status > 100 ? ';tag=them' : ''}`,
    'Call-ID: out-1@192.0.2.1',
    `CSeq: 1 ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const inbound = validateMessage(Buffer.from(raw, 'latin1'), PEER);
  if (inbound.kind !== 'response') throw new Error(`test response did not validate: ${inbound.kind}`);
  return inbound.response;
}

/** An outgoing request as the UAC core builds it. */
export function outgoing(method: string, branch = 'z9hG4bKout1'): SipOutgoingMessage {
  return {
    method,
    uri: 'sip:13812345678@192.0.2.10:5070',
    version: '2.0',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '192.0.2.1', port: 5060, params: { branch } }],
      'max-forwards': '70',
      from: { uri: 'sip:12345@192.0.2.1', params: { tag: 'us' } },
      to: { uri: 'sip:13812345678@192.0.2.10', params: {} },
      'call-id': 'out-1@192.0.2.1',
      cseq: { seq: 1, method },
    },
  };
}
