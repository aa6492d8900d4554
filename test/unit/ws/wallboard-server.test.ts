import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { AuthUser } from '../../../src/api/auth-context.js';
import { silentLogger } from '../../../src/logging/logger.js';
import type { LiveBoardEvents, LiveBoardSnapshot } from '../../../src/metrics/live-board.js';
import { TypedEmitter } from '../../../src/shared/typed-emitter.js';
import { WallboardServer } from '../../../src/ws/wallboard-server.js';

const SUPERVISOR: AuthUser = { id: 2, username: 'zhao.min', role: 'supervisor' };
const AGENT: AuthUser = { id: 7, username: 'wang.li', role: 'agent', extension: '8001' };

interface Client {
  readonly ws: WebSocket;
  readonly frames: { type: string; at?: string }[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('WallboardServer', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function rig(verifyToken: (token: string) => Promise<AuthUser | undefined>) {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const board = { snapshot: { at: 'first' } as unknown as LiveBoardSnapshot, observer: new TypedEmitter<LiveBoardEvents>() };
    const wallboard = new WallboardServer(server, { board, verifyToken, logger: silentLogger(), recheckMs: 60_000 });
    const { port } = server.address() as AddressInfo;
    const sockets: WebSocket[] = [];
    cleanups.push(async () => {
      for (const ws of sockets) ws.terminate();
      wallboard.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    });
    const open = (token: string): Client => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/wallboard?token=${token}`);
      sockets.push(ws);
      const frames: Client['frames'] = [];
      ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Client['frames'][number]));
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        ws.on('close', (code, reason) => { resolve({ code, reason: reason.toString('utf8') }); });
      });
      return { ws, frames, closed };
    };
    const update = (at: string): void => { board.observer.emit('update', { at } as unknown as LiveBoardSnapshot); };
    return { open, update };
  }

  it('when the token check fails (database down), it closes with 1011 so the browser retries, not 4401', async () => {
    const r = await rig(() => Promise.reject(new Error('connect ECONNREFUSED')));
    const c = r.open('good-token');
    expect(await c.closed).to.deep.equal({ code: 1011, reason: 'could not verify the token, try again' });
  });

  it('when the token is unknown, it closes with 4401', async () => {
    const r = await rig(() => Promise.resolve(undefined));
    const c = r.open('stale');
    expect(await c.closed).to.deep.equal({ code: 4401, reason: 'token expired or unknown' });
  });

  it('when a supervisor must first change the password an admin set, it closes with 4403 PASSWORD_CHANGE_REQUIRED and sends no board', async () => {
    const r = await rig(() => Promise.resolve({ ...SUPERVISOR, mustChangePassword: true }));
    const c = r.open('reset-token');
    expect(await c.closed).to.deep.equal({ code: 4403, reason: 'PASSWORD_CHANGE_REQUIRED: choose your own password first' });
    expect(c.frames).to.deep.equal([]);
  });

  it('sends board updates only to accepted supervisors: not to a socket still being checked nor to one being refused', async () => {
    let release: (user: AuthUser | undefined) => void = () => undefined;
    const r = await rig((token) => {
      if (token === 'super') return Promise.resolve(SUPERVISOR);
      if (token === 'agent') return Promise.resolve(AGENT);
      return new Promise((resolve) => { release = resolve; });
    });
    const supervisor = r.open('super');
    await until(() => supervisor.frames.length === 1, 'the first board');
    const pending = r.open('slow');
    await new Promise<void>((resolve) => pending.ws.once('open', () => { resolve(); }));
    r.update('second');
    await until(() => supervisor.frames.length === 2, 'the second board');
    await sleep(30);
    expect(pending.frames, 'a socket whose token is still being checked').to.deep.equal([]);
    release(undefined);
    expect((await pending.closed).code).to.equal(4401);
    expect(pending.frames).to.deep.equal([]);
    const agent = r.open('agent');
    expect((await agent.closed).code).to.equal(4403);
    expect(agent.frames).to.deep.equal([]);
  });
});
