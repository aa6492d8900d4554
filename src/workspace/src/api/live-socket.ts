/**
 * A WebSocket to `/ws/agent` or `/ws/wallboard` that stays open: it reconnects with a growing delay
 * (0.5 s … 10 s) after a drop, queues nothing (callers resend what matters after `open`), and stops for
 * good on 4401 (the session ended: signed out elsewhere or expired), telling the app to log in again,
 * and on 4403 (this user may not open it, e.g. an agent without extension).
 *
 * A connection dropped without a close (Wi-Fi gone, a NAT forgetting it, a laptop waking up) sends
 * no close event for minutes: the optional watchdog notices silence instead (`silentMs`: no frame for
 * that long; `ping`: a message sent every `everyMs` that must be answered within `answerWithinMs`),
 * drops the socket and reconnects, showing the same 连接中断 as after a close.
 */
import { ref, type Ref } from 'vue';
import { session } from './session-store';

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface LiveSocketOptions<In, Out = unknown> {
  readonly path: '/ws/agent' | '/ws/wallboard';
  readonly onMessage: (msg: In) => void;
  readonly onOpen?: () => void;
  /** The session ended (4401): the caller clears it and goes to the login page. */
  readonly onSessionEnded?: (reason: string) => void;
  /** Refused for good (4403: wrong role, an agent without extension): no more tries. */
  readonly onRefused?: (code: number, reason: string) => void;
  readonly watchdog?: LiveSocketWatchdog<Out>;
}

export interface LiveSocketWatchdog<Out> {
  /** The server sends on its own at least this often (the wallboard every 5 s): a longer silence is a dead connection. */
  readonly silentMs?: number;
  /** Asks the server every `everyMs` (e.g. `{type:'ping'}`, answered by a pong); no frame within `answerWithinMs` is a dead connection. */
  readonly ping?: { readonly message: Out; readonly everyMs: number; readonly answerWithinMs: number };
}

export class LiveSocket<In, Out = unknown> {
  readonly status: Ref<SocketStatus> = ref('connecting');
  private ws: WebSocket | undefined;
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private answerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: LiveSocketOptions<In, Out>) {}

  start(): this {
    this.stopped = false;
    this.connect();
    return this;
  }

  send(msg: Out): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.stopWatchdog();
    this.ws?.close(1000, 'page closed');
    this.ws = undefined;
    this.status.value = 'closed';
  }

  private connect(): void {
    const token = session.token;
    if (token === undefined) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}${this.options.path}?token=${encodeURIComponent(token)}`);
    this.ws = ws;
    this.status.value = 'connecting';
    // A handshake that hangs (the network gone) is a dead connection too.
    const dog = this.options.watchdog;
    const openWithinMs = dog?.silentMs ?? dog?.ping?.answerWithinMs;
    if (openWithinMs !== undefined) {
      this.silenceTimer = setTimeout(() => {
        this.dropDead(ws, `not open within ${openWithinMs} ms`);
      }, openWithinMs);
    }
    ws.onopen = () => {
      if (this.silenceTimer !== undefined) clearTimeout(this.silenceTimer);
      this.silenceTimer = undefined;
      this.retryMs = 500;
      this.status.value = 'open';
      this.startWatchdog(ws);
      this.options.onOpen?.();
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      if (this.ws !== ws) return;
      this.heard(ws);
      let msg: In;
      try {
        msg = JSON.parse(ev.data) as In;
      } catch {
        return;
      }
      this.options.onMessage(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.stopWatchdog();
      this.status.value = 'closed';
      if (this.stopped) return;
      if (ev.code === 4401) {
        this.stopped = true;
        this.options.onSessionEnded?.(ev.reason);
        return;
      }
      if (ev.code === 4403) {
        this.stopped = true;
        this.options.onRefused?.(ev.code, ev.reason);
        return;
      }
      this.reconnectLater();
    };
  }

  private reconnectLater(): void {
    this.timer = setTimeout(() => {
      this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }

  private startWatchdog(ws: WebSocket): void {
    const dog = this.options.watchdog;
    if (dog === undefined) return;
    this.heard(ws);
    const ping = dog.ping;
    if (ping !== undefined) {
      this.pingTimer = setInterval(() => {
        if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
        ws.send(JSON.stringify(ping.message));
        this.answerTimer ??= setTimeout(() => {
          this.dropDead(ws, `no answer to ping within ${ping.answerWithinMs} ms`);
        }, ping.answerWithinMs);
      }, ping.everyMs);
    }
  }

  /** A frame came: the connection is alive. */
  private heard(ws: WebSocket): void {
    const silentMs = this.options.watchdog?.silentMs;
    if (this.answerTimer !== undefined) clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
    if (silentMs === undefined) return;
    if (this.silenceTimer !== undefined) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      this.dropDead(ws, `no frame for ${silentMs} ms`);
    }, silentMs);
  }

  private stopWatchdog(): void {
    for (const t of [this.silenceTimer, this.answerTimer]) if (t !== undefined) clearTimeout(t);
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.silenceTimer = this.answerTimer = this.pingTimer = undefined;
  }

  /**
   * The connection went silent: its close event may take minutes (TCP gives up late), so the socket
   * is let go now (its late events ignored) and a new one opened.
   */
  private dropDead(ws: WebSocket, why: string): void {
    if (this.ws !== ws || this.stopped) return;
    this.stopWatchdog();
    this.ws = undefined;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close(4000, why);
    } catch {
      // Already closing: nothing more to do with it.
    }
    this.status.value = 'closed';
    this.reconnectLater();
  }
}
