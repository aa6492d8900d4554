import WebSocket from 'ws';

/** A small JSON client of the server's HTTP API with a bearer token. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private token?: string,
  ) {}

  static async login(baseUrl: string, username: string, password: string): Promise<ApiClient> {
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await res.json()) as { token?: string };
    if (res.status !== 200 || body.token === undefined) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(body)}`);
    return new ApiClient(baseUrl, body.token);
  }

  get bearer(): string {
    return this.token ?? '';
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; raw: Response }> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const raw = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const type = raw.headers.get('content-type') ?? '';
    const parsed: unknown = type.includes('json') ? await raw.json() : await raw.arrayBuffer();
    return { status: raw.status, body: parsed, raw };
  }

  get(path: string): Promise<{ status: number; body: unknown; raw: Response }> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown): Promise<{ status: number; body: unknown; raw: Response }> {
    return this.request('POST', path, body);
  }
}

export interface DesktopFrame {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The agent desktop socket as a test drives it: send commands, wait for pushed frames. */
export class DesktopClient {
  readonly frames: DesktopFrame[] = [];
  private waiters: { predicate: (f: DesktopFrame) => boolean; resolve: (f: DesktopFrame) => void }[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as DesktopFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.predicate(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static connect(baseUrl: string, token: string): Promise<DesktopClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws/agent?token=${encodeURIComponent(token)}`);
    const client = new DesktopClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        resolve(client);
      });
      ws.once('error', reject);
      ws.once('close', (code, reason) => {
        reject(new Error(`desktop socket closed: ${code} ${reason.toString()}`));
      });
    });
  }

  /** Resolves with the close code and reason (for refused connections). */
  static refused(baseUrl: string, token: string): Promise<{ code: number; reason: string }> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws/agent?token=${encodeURIComponent(token)}`);
    return new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  send(command: unknown): void {
    this.ws.send(typeof command === 'string' ? command : JSON.stringify(command));
  }

  /** The first frame (already received or coming) matching `predicate`, after index `since`. */
  waitFor(predicate: (f: DesktopFrame) => boolean, timeoutMs = 10_000, since = 0): Promise<DesktopFrame> {
    const seen = this.frames.slice(since).find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no desktop frame matched in ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(since))}`));
      }, timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  mark(): number {
    return this.frames.length;
  }

  close(): void {
    this.ws.close();
  }
}
