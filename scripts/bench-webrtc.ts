/**
 * CPU per WebRTC agent leg (issue 11): the server's media engine with N browser-style legs (ICE-lite,
 * DTLS-SRTP, PCMU both ways at 50 packets/s) against N plain RTP legs, measured in a child process
 * that runs only the server side; the "browsers" are werift peers in this process (the same library).
 *
 *   npx tsx scripts/bench-webrtc.ts [--legs 50] [--window 10]
 *
 * Per kind it reports: set-up CPU (DTLS handshakes included) per leg, and steady CPU per leg in
 * ms per second (the server sends 50 SRTP packets/s and decrypts 50/s per leg). The difference between
 * the kinds is the DTLS/SRTP cost. On a shared 2-core machine the client peers take CPU from the same
 * cores: read the figures as an order of magnitude, with the load average printed next to them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { encodeUlaw } from '../src/media/g711.js';
import { encodeRtp } from '../src/media/rtp-packet.js';
import { BrowserPeer } from '../test/support/webrtc-browser-peer.js';

type Kind = 'webrtc' | 'plain';
type ToServer =
  | { readonly type: 'create'; readonly kind: Kind; readonly legs: number }
  | { readonly type: 'answers'; readonly from: number; readonly sdps: readonly string[] }
  | { readonly type: 'plain-offers'; readonly sdps: readonly string[] }
  | { readonly type: 'cpu' }
  | { readonly type: 'close' };
type FromServer =
  | { readonly type: 'offers'; readonly sdps: readonly string[]; readonly ports: readonly number[] }
  | { readonly type: 'done' }
  | { readonly type: 'cpu'; readonly userMs: number; readonly systemMs: number; readonly connected: number };

const PORT_BASE = 40000;
/** WebRTC legs set up at once. */
const BATCH = 5;

/** The child: a media engine (RTP on its main thread, so process CPU is the media's) and nothing else. */
async function server(): Promise<void> {
  const { RtpMediaEngine } = await import('../src/media/rtp-media-engine.js');
  const { createLogger, silentLogger } = await import('../src/logging/logger.js');
  const engine = await RtpMediaEngine.create({
    bindAddress: '127.0.0.1', publicAddress: '127.0.0.1', portMin: PORT_BASE, portMax: PORT_BASE + 400,
    promptsDir: fileURLToPath(new URL('../test/fixtures/media/prompts', import.meta.url)), logger: process.env.BENCH_LOG === undefined ? silentLogger() : createLogger(process.env.BENCH_LOG), webrtc: true,
  });
  type Session = Awaited<ReturnType<typeof engine.createSession>>;
  let sessions: Session[] = [];
  const send = (m: FromServer): void => {
    process.send?.(m);
  };
  process.on('message', (raw: ToServer) => {
    void (async () => {
      switch (raw.type) {
        case 'create': {
          for (const s of sessions) s.close();
          sessions = [];
          for (let i = 0; i < raw.legs; i++) sessions.push(await engine.createSession(`leg-${i}`));
          const sdps = raw.kind === 'webrtc' ? sessions.map((s) => s.createOffer({ webrtc: true })) : [];
          send({ type: 'offers', sdps, ports: sessions.map((s) => s.localPort) });
          return;
        }
        case 'answers':
          raw.sdps.forEach((sdp, i) => sessions[raw.from + i]?.acceptAnswer(sdp));
          send({ type: 'done' });
          return;
        case 'plain-offers':
          raw.sdps.forEach((sdp, i) => {
            const s = sessions[i];
            s?.setSignallingAddress('127.0.0.1');
            s?.answerOffer(sdp);
            s?.confirmRemote();
          });
          send({ type: 'done' });
          return;
        case 'cpu': {
          const u = process.cpuUsage();
          send({ type: 'cpu', userMs: u.user / 1000, systemMs: u.system / 1000, connected: sessions.filter((s) => s.webrtcState === 'connected').length });
          return;
        }
        case 'close':
          await engine.close();
          process.exit(0);
      }
    })();
  });
}

function ask<T extends FromServer['type']>(child: ChildProcess, message: ToServer, type: T): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (m: FromServer): void => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m as Extract<FromServer, { type: T }>);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Plain RTP "phones": one UDP socket each, PCMU at 50 packets/s. */
async function plainPhones(count: number): Promise<{ sockets: Socket[]; offers: string[] }> {
  const sockets: Socket[] = [];
  const offers: string[] = [];
  for (let i = 0; i < count; i++) {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1');
    await once(s, 'listening');
    sockets.push(s);
    offers.push(['v=0', 'o=p 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${s.address().port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n'));
  }
  return { sockets, offers };
}

async function run(child: ChildProcess, kind: Kind, legs: number, windowS: number): Promise<{ setupMsPerLeg: number; steadyMsPerSPerLeg: number; connected: number }> {
  const before = await ask(child, { type: 'cpu' }, 'cpu');
  const { sdps, ports } = await ask(child, { type: 'create', kind, legs }, 'offers');
  const peers: BrowserPeer[] = [];
  let phones: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  if (kind === 'webrtc') {
    // In batches, as agents sign in over minutes, not all in one instant: the set-up CPU is counted all the same.
    for (let from = 0; from < sdps.length; from += BATCH) {
      const batch: BrowserPeer[] = [];
      const answers: string[] = [];
      for (const sdp of sdps.slice(from, from + BATCH)) {
        const peer = new BrowserPeer();
        peer.keep = false;
        batch.push(peer);
        answers.push(await peer.answer(sdp));
      }
      await ask(child, { type: 'answers', from, sdps: answers }, 'done');
      // A peer that fails (werift's client side gives up on a starved machine) is counted, not fatal.
      await Promise.all(batch.map((p) => p.connected(60_000).catch(() => undefined)));
      peers.push(...batch);
    }
    for (const p of peers) p.startTone(440);
  } else {
    const { sockets, offers } = await plainPhones(legs);
    phones = sockets;
    await ask(child, { type: 'plain-offers', sdps: offers }, 'done');
    const frame = encodeUlaw(new Int16Array(160).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000))));
    let seq = 0;
    timer = setInterval(() => {
      seq++;
      phones.forEach((s, i) => { s.send(encodeRtp({ payloadType: 0, marker: false, sequenceNumber: seq & 0xffff, timestamp: seq * 160, ssrc: 1000 + i, payload: frame }), ports[i] ?? 0, '127.0.0.1'); });
    }, 20);
  }
  await sleep(1000);
  const start = await ask(child, { type: 'cpu' }, 'cpu');
  await sleep(windowS * 1000);
  const end = await ask(child, { type: 'cpu' }, 'cpu');
  clearInterval(timer);
  for (const p of peers) await p.close();
  for (const s of phones) s.close();
  const cpu = (c: { userMs: number; systemMs: number }): number => c.userMs + c.systemMs;
  // Per leg carrying media: for WebRTC the legs whose DTLS completed.
  const live = kind === 'webrtc' ? Math.max(1, end.connected) : legs;
  return {
    setupMsPerLeg: (cpu(start) - cpu(before)) / live,
    steadyMsPerSPerLeg: (cpu(end) - cpu(start)) / windowS / live,
    connected: end.connected,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const legs = opt('--legs', 50);
  const windowS = opt('--window', 10);
  const child = fork(fileURLToPath(import.meta.url), ['server'], { execArgv: ['--import', 'tsx'] });
  try {
    for (const kind of ['plain', 'webrtc'] as const) {
      const r = await run(child, kind, legs, windowS);
      console.log(JSON.stringify({ kind, legs, windowS, ...r, load1: loadavg()[0]?.toFixed(1) }));
    }
  } finally {
    child.send({ type: 'close' } satisfies ToServer);
  }
}

if (process.argv[2] === 'server') void server();
else void main();
