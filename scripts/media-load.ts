/**
 * Media load: N concurrent IVR calls whose callers stream RTP (as every real caller does), against
 * the server with MEDIA_WORKERS=0 (RTP on the main thread) and with media workers, side by side.
 *
 *   npx tsx scripts/media-load.ts [--calls 500,1000] [--workers 0,auto] [--rate 100] [--window 8]
 *
 * Per run: sipp places the calls (`rtp_stream`: each caller sends 20 ms PCMU packets the whole call),
 * holds them, and tcpdump captures the packets the server sends (headers only). During a window
 * after the ramp it reports, from the capture: packets sent per stream against the 50/s due, and the
 * send-interval p99 (jitter as the network sees it, not the server's own gauge); from /metrics: the
 * server's pacing p99 since start (ramp included), the main thread's event-loop lag p99
 * (prom-client, over the window) and RSS per call. Needs sipp and tcpdump (run as root).
 * Numbers from a shared 2-core machine with sipp on the same cores are noisy: read them as such.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { encodeUlaw } from '../src/media/g711.js';
import { startServer, type ServerHandle } from '../test/support/server-process.js';
import { startSipp } from '../test/support/sipp.js';

interface Args {
  calls: number[];
  workers: string[];
  rate: number;
  windowS: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { calls: [500, 1000], workers: ['0', 'auto'], rate: 100, windowS: 8 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1] ?? '';
    switch (argv[i]) {
      case '--calls':
        args.calls = value.split(',').map(Number);
        break;
      case '--workers':
        args.workers = value.split(',');
        break;
      case '--rate':
        args.rate = Number(value);
        break;
      case '--window':
        args.windowS = Number(value);
        break;
      default:
        throw new Error(`unknown option ${argv[i] ?? ''} (--calls, --workers, --rate, --window)`);
    }
  }
  return args;
}

const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="media-load">
  <send retrans="500"><![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "load" <sip:load@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:load@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=load 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtpstream_audio_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      a=ptime:20
      a=sendrecv

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "load" <sip:load@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      [routes]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:load@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <nop><action><exec rtp_stream="[caller_audio],-1,0"/></action></nop>
  <pause/>
  <nop><action><exec rtp_stream="pause"/></action></nop>
  <send retrans="500"><![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "load" <sip:load@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      [routes]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:load@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
`;

/** Free ports are picked at random: on a shared machine one may be taken by the time the server binds it. */
async function startWithRetry(workers: string, calls: number): Promise<ServerHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServer(
        { MEDIA_WORKERS: workers, LOG_LEVEL: 'warn', SIP_MAX_CALLS_PER_S: '0', SIP_MAX_CALLS: '0' },
        { rtpPorts: calls * 2 + 200, readyTimeoutMs: 60_000 },
      );
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function metrics(server: ServerHandle): Promise<Map<string, number>> {
  const res = await fetch(`${server.baseUrl}/metrics`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Send times (s) per server source port from a pcap of headers (Linux loopback: Ethernet framing). */
function readCapture(file: string, from: number, to: number): Map<number, number[]> {
  const buf = readFileSync(file);
  const streams = new Map<number, number[]>();
  if (buf.length < 24) return streams;
  const nano = buf.readUInt32LE(0) === 0xa1b23c4d;
  for (let off = 24; off + 16 <= buf.length; ) {
    const t = buf.readUInt32LE(off) + buf.readUInt32LE(off + 4) / (nano ? 1e9 : 1e6);
    const len = buf.readUInt32LE(off + 8);
    const pkt = off + 16;
    off = pkt + len;
    if (off > buf.length || len < 14 + 20 + 8) continue;
    const ihl = ((buf[pkt + 14] ?? 0) & 0x0f) * 4;
    const srcPort = buf.readUInt16BE(pkt + 14 + ihl);
    if (srcPort < from || srcPort > to) continue;
    let list = streams.get(srcPort);
    if (list === undefined) streams.set(srcPort, (list = []));
    list.push(t);
  }
  return streams;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

async function run(workers: string, calls: number, args: Args): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-load-'));
  const scenario = path.join(dir, 'media-load.xml');
  // One second of a quiet tone as raw μ-law, looped by sipp for the whole call.
  const samples = new Int16Array(8000);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  const audio = path.join(dir, 'caller.ulaw');
  writeFileSync(audio, encodeUlaw(samples));
  // sipp does not substitute -key values inside <exec>: the path goes into the scenario itself.
  writeFileSync(scenario, SCENARIO.replace('[caller_audio]', audio));

  // Shorter than the default IVR's own hang-up (about 36 s): every call is held by the caller.
  const holdMs = 33_000;
  const server = await startWithRetry(workers, calls);
  const capture = path.join(dir, 'server-rtp.pcap');
  const tcpdump = spawn('tcpdump', ['-i', 'lo', '-s', '64', '-B', '32768', '-w', capture, `udp and src portrange ${server.rtpMin}-${server.rtpMax}`], { stdio: 'ignore' });
  const stopCapture = (): void => {
    tcpdump.kill('SIGINT');
  };
  process.once('exit', stopCapture);
  try {
    await sleep(1500);
    const idle = await metrics(server);
    const sipp = await startSipp({
      scenario,
      target: `127.0.0.1:${server.sipPort}`,
      calls,
      rate: args.rate,
      concurrency: calls,
      pauseMs: holdMs,
      timeoutS: Math.ceil(holdMs / 1000) + 60,
      mediaPort: 50000,
      extraArgs: ['-rtp_threadtasks', '50'],
    });
    // The window starts once (nearly) every call is up: sipp's ramp runs late on a loaded machine.
    const plateauBy = Date.now() + holdMs - args.windowS * 1000 - 2000;
    while (Date.now() < plateauBy && ((await metrics(server)).get('hotline_rtp_sessions') ?? 0) < calls * 0.98) await sleep(500);
    const before = await metrics(server);
    const windowFrom = Date.now() / 1000;
    await sleep(args.windowS * 1000);
    const windowTo = Date.now() / 1000;
    const after = await metrics(server);
    const result = await sipp.done;
    if (result.stats === undefined || result.exitCode !== 0) console.error(`sipp exit ${String(result.exitCode)}: ${result.stderr.slice(-800)} ${result.errors.slice(0, 800)}`);
    tcpdump.kill('SIGINT');
    await sleep(1000);

    const streams = readCapture(capture, server.rtpMin, server.rtpMax);
    const counts: number[] = [];
    const intervals: number[] = [];
    for (const times of streams.values()) {
      const inWindow = times.filter((t) => t >= windowFrom && t < windowTo);
      if (inWindow.length === 0) continue;
      counts.push(inWindow.length);
      for (let i = 1; i < inWindow.length; i++) intervals.push(((inWindow[i] ?? 0) - (inWindow[i - 1] ?? 0)) * 1000);
    }
    counts.sort((x, y) => x - y);
    intervals.sort((x, y) => x - y);
    const due = args.windowS * 50;
    const mb = (v: number | undefined): number => (v ?? 0) / 1024 / 1024;
    const rssIdle = mb(idle.get('process_resident_memory_bytes'));
    const rssLoad = mb(before.get('process_resident_memory_bytes'));
    const sessions = before.get('hotline_rtp_sessions') ?? 0;
    const s = result.stats;
    const logs = server.logs();
    const count = (text: string): number => logs.split(text).length - 1;
    const failures = logs.split('\n').filter((l) => l.includes('media worker failed')).slice(0, 2).join('\n');
    if (failures !== '') console.error(failures.slice(0, 2000));
    return [
      `MEDIA_WORKERS=${workers}, ${calls} calls (${args.rate}/s ramp, ${args.windowS} s window, load average ${loadavg()[0]?.toFixed(1) ?? '?'}):`,
      `  sipp ok/failed ${s?.successful ?? '?'}/${s?.failed ?? '?'}, RTP sessions at window start ${sessions}`,
      `  streams seen ${counts.length}; packets per stream in window (due ${due}): min ${counts[0] ?? 0}, p50 ${percentile(counts, 0.5)}`,
      `  send interval from capture: p50 ${percentile(intervals, 0.5).toFixed(1)} ms, p99 ${percentile(intervals, 0.99).toFixed(1)} ms, max ${(intervals.at(-1) ?? 0).toFixed(1)} ms`,
      `  server pacing (since start) p99 ${((after.get('hotline_rtp_send_lateness_seconds{quantile="0.99"}') ?? 0) * 1000).toFixed(1)} ms`,
      `  main event-loop lag p99 over the window ${((after.get('nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000).toFixed(1)} ms`,
      `  log: ${count('media worker failed')} media worker failures, ${count('media clock stalled')} clock stalls, ${count('"level":"error"')} errors`,
      `  RSS idle ${rssIdle.toFixed(0)} MB → ${rssLoad.toFixed(0)} MB, ${sessions > 0 ? (((rssLoad - rssIdle) * 1024) / sessions).toFixed(0) : '?'} KB per call`,
    ].join('\n');
  } finally {
    stopCapture();
    process.off('exit', stopCapture);
    await server.stop();
  }
}

const args = parseArgs(process.argv.slice(2));
console.log(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`);
for (const calls of args.calls) {
  for (const workers of args.workers) {
    console.log(await run(workers, calls, args));
  }
}
