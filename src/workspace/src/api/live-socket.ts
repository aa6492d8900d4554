/**
 * A WebSocket to `/ws/agent` or `/ws/wallboard` that stays open: it reconnects with a growing delay
 * (0.5 s … 10 s) after a drop, queues nothing (callers resend what matters after `open`), and stops for
 * good on 4401 (the session ended: signed out elsewhere or expired), telling the app to log in again,
 * and on 4403 (this user may not open it, e.g. an agent without extension).
 */
import { ref, type Ref } from 'vue';
import { session } from './session-store';

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface LiveSocketOptions<In> {
  readonly path: '/ws/agent' | '/ws/wallboard';
  readonly onMessage: (msg: In) => void;
  readonly onOpen?: () => void;
  /** The session ended (4401): the caller clears it and goes to the login page. */
  readonly onSessionEnded?: (reason: string) => void;
  /** Refused for good (4403: wrong role, an agent without extension): no more tries. */
  readonly onRefused?: (code: number, reason: string) => void;
}

export class LiveSocket<In, Out = unknown> {
  readonly status: Ref<SocketStatus> = ref('connecting');
  private ws: WebSocket | undefined;
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly options: LiveSocketOptions<In>) {}

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
    ws.onopen = () => {
      this.retryMs = 500;
      this.status.value = 'open';
      this.options.onOpen?.();
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
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
      this.timer = setTimeout(() => {
        this.connect();
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }
}
