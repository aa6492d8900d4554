import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveSocket } from '../src/api/live-socket';
import { clearSession, setSession } from '../src/api/session-store';
import { openWallboard, WALLBOARD_SILENT_MS } from '../src/api/wallboard';

/** A browser WebSocket the test drives: opens, receives and closes when told. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = 0;
  readonly sent: unknown[] = [];
  closedWith: { code: number; reason: string } | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }

  close(code = 1000, reason = ''): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  receive(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

const last = (): FakeSocket => {
  const s = FakeSocket.all.at(-1);
  if (s === undefined) throw new Error('no socket opened');
  return s;
};

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', FakeSocket);
  setSession('tok', new Date(Date.now() + 3_600_000).toISOString(), { id: 1, username: 'boss', role: 'supervisor', displayName: '班长' });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  clearSession();
});

describe('LiveSocket watchdog (a connection dropped without a close)', () => {
  it('the wallboard: no frame for 15 s → shows 连接中断 (closed), drops the socket and opens a new one', () => {
    const onFrame = vi.fn();
    const socket = openWallboard(onFrame, () => undefined);
    const first = last();
    first.open();
    first.receive({ type: 'board', at: '2026-11-20T08:00:00Z' });
    vi.advanceTimersByTime(WALLBOARD_SILENT_MS - 1000);
    first.receive({ type: 'board', at: '2026-11-20T08:00:05Z' });
    vi.advanceTimersByTime(WALLBOARD_SILENT_MS - 1000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(socket.status.value).toBe('open');
    vi.advanceTimersByTime(1000);
    expect(first.closedWith?.code).toBe(4000);
    expect(socket.status.value).toBe('closed');
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(2);
    expect(socket.status.value).toBe('connecting');
    // The dead socket's late frames and close are ignored.
    first.receive({ type: 'board', at: 'late' });
    first.onclose?.({ code: 1006, reason: '' });
    expect(FakeSocket.all).toHaveLength(2);
    socket.stop();
  });

  it('the desk: pings every 20 s and reconnects when no answer comes within 10 s', () => {
    const socket = new LiveSocket<unknown, { type: string }>({
      path: '/ws/agent',
      onMessage: () => undefined,
      watchdog: { ping: { message: { type: 'ping' }, everyMs: 20_000, answerWithinMs: 10_000 } },
    }).start();
    const first = last();
    first.open();
    vi.advanceTimersByTime(20_000);
    expect(first.sent).toEqual([{ type: 'ping' }]);
    first.receive({ type: 'pong' });
    vi.advanceTimersByTime(20_000);
    expect(first.sent).toHaveLength(2);
    vi.advanceTimersByTime(9_999);
    expect(socket.status.value).toBe('open');
    vi.advanceTimersByTime(1);
    expect(first.closedWith?.code).toBe(4000);
    expect(socket.status.value).toBe('closed');
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(socket.status.value).toBe('open');
    socket.stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('a handshake that never completes is given up after the silence limit and tried again', () => {
    const socket = openWallboard(() => undefined, () => undefined);
    vi.advanceTimersByTime(WALLBOARD_SILENT_MS - 1);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all[0]?.closedWith?.code).toBe(4000);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    vi.advanceTimersByTime(WALLBOARD_SILENT_MS - 1);
    expect(socket.status.value).toBe('open');
    socket.stop();
  });

  it('without a watchdog nothing is timed (the other sockets as before)', () => {
    const socket = new LiveSocket<unknown>({ path: '/ws/wallboard', onMessage: () => undefined }).start();
    last().open();
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(socket.status.value).toBe('open');
    socket.stop();
  });
});
