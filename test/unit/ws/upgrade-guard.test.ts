import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { Acd } from '../../../src/acd/acd.js';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import type { AuthUser } from '../../../src/api/auth-context.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { systemClock } from '../../../src/shared/clock.js';
import { AgentDesktopServer } from '../../../src/ws/agent-desktop-server.js';
import { guardUpgrades } from '../../../src/ws/upgrade-guard.js';
import { WallboardServer } from '../../../src/ws/wallboard-server.js';
import { LiveBoard } from '../../../src/metrics/live-board.js';
import { MemoryAcdRecords, TEST_QUEUES_YAML } from '../acd/acd-test-kit.js';

const AGENT: AuthUser = { id: 7, username: 'wang.li', role: 'agent', extension: '8001' };

/** Sends raw bytes and resolves with everything the server wrote before it closed (or 2 s passed). */
function rawExchange(port: number, text: string): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ reply, closed: false });
    }, 2000);
    socket.on('data', (d: Buffer) => { reply += d.toString('latin1'); });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ reply, closed: true });
    });
    socket.write(text);
  });
}

const upgrade = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;

describe('WebSocket upgrades', () => {
  let server: Server;
  let port: number;
  let acd: Acd;
  let desktops: AgentDesktopServer;
  let wallboard: WallboardServer;
  let verifyToken: (token: string) => Promise<AuthUser | undefined>;

  beforeEach(async () => {
    acd = new Acd({ clock: systemClock, logger: silentLogger(), records: new MemoryAcdRecords(), queues: parseQueues(TEST_QUEUES_YAML, 'test-queues.yaml') });
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    verifyToken = (token) => Promise.resolve(token === 'agent-token' ? AGENT : undefined);
    desktops = new AgentDesktopServer(server, {
      acd,
      verifyToken: (token) => verifyToken(token),
      agentProfile: () => Promise.resolve({ extension: '8001', skills: ['general'] }),
      callerHistory: () => Promise.resolve([]),
      openCallbacks: () => Promise.resolve([]),
      hangupAgentCall: () => Promise.resolve(true),
      clock: systemClock,
      logger: silentLogger(),
      heartbeatMs: 60_000,
      graceMs: 60_000,
    });
    const board = new LiveBoard(
      {
        callersWaiting: () => [],
        agents: () => [],
        today: () => Promise.resolve({ offered: 0, answered: 0, abandoned: 0, answerRate: null, serviceLevel: null, abandonRate: null, asaS: null }),
      },
      systemClock,
      silentLogger(),
    );
    wallboard = new WallboardServer(server, { board, verifyToken: (t) => verifyToken(t), logger: silentLogger() });
    guardUpgrades(server, ['/ws/agent', '/ws/wallboard'], silentLogger());
  });

  afterEach(async () => {
    desktops.close();
    wallboard.close();
    acd.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });

  it('when an upgrade names a target the URL parser refuses (GET //[), it answers 400 and closes, and nothing is thrown', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => { uncaught.push(err); };
    process.prependListener('uncaughtException', onUncaught);
    try {
      for (let i = 0; i < 7; i += 1) {
        const { reply, closed } = await rawExchange(port, upgrade('//['));
        expect(reply).to.match(/^HTTP\/1\.1 400 /);
        expect(closed).to.equal(true);
      }
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).to.deep.equal([]);
  });

  it('when an upgrade asks for a path nobody serves, it answers 404 and closes the connection', async () => {
    const { reply, closed } = await rawExchange(port, upgrade('/ws/nothing'));
    expect(reply).to.match(/^HTTP\/1\.1 404 /);
    expect(closed).to.equal(true);
  });

  it('when a desktop goes away while its token is being checked, no dead socket is left on the desk', async () => {
    let release: () => void = () => undefined;
    verifyToken = (token) => new Promise((resolve) => { release = () => { resolve(token === 'agent-token' ? AGENT : undefined); }; });
    const ws = new WebSocket(`ws://127.0.0.1:${String(port)}/ws/agent?token=agent-token`);
    await new Promise<void>((resolve) => ws.once('open', () => { resolve(); }));
    ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(desktops.connectedAgents).to.equal(0);
  });
});
