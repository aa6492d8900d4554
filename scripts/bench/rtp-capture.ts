/**
 * The server's outgoing RTP as a caller receives it, measured from outside: tcpdump on the loopback
 * interface captures every datagram from the server's RTP port range to sipp's media port for a
 * window of N seconds; each server port is one stream. Reported: packets received per stream against
 * the 50 a second a 20 ms ptime promises, and inter-arrival intervals across all streams (what a
 * caller's jitter buffer sees) with their deviation from 20 ms. tcpdump's own kernel drops are reported apart, so a capture that
 * could not keep up is not blamed on the server.
 */
import path from 'node:path';
import { percentile } from './measure.js';
import { readUdpPcap } from './pcap.js';
import { makeTempDir, removeTempDir, sleep, spawnOwned, type OwnedProcess } from './runtime.js';

const PACKETS_PER_S = 50;

export interface CaptureStats {
  /** Length of the capture window (s), from the first to the last packet captured. */
  windowS: number;
  /** Streams (server ports) seen in the capture. */
  streams: number;
  packets: number;
  /** Packets expected: streams × 50/s × window. */
  expected: number;
  /**
   * Packets missing: per stream, how many it got fewer than a stream sending every 20 ms must have in
   * the window (⌊50 × window⌋: 500 or 501 fit in 10.0 s depending on the stream's phase), summed.
   */
  missing: number;
  /** Packets per stream: the worst stream, the 1st percentile, the median. */
  perStreamMin: number | undefined;
  perStreamP1: number | undefined;
  perStreamP50: number | undefined;
  /** Streams that got fewer than 95 % of the packets expected. */
  streamsShort: number;
  /** Inter-arrival intervals across all streams (ms). */
  intervalP50: number | undefined;
  intervalP99: number | undefined;
  intervalMax: number | undefined;
  /**
   * Jitter as a caller's jitter buffer sees it: how far each inter-arrival interval is from the 20 ms
   * the stream promises, |interval − 20 ms|, across all streams (ms). Issue 15's goal: p99 ≤ 5 ms.
   */
  jitterP50: number | undefined;
  jitterP99: number | undefined;
  jitterMax: number | undefined;
  /** Intervals above 40 ms (two packet times: a gap a caller hears). */
  intervalsOver40: number;
  /** "N packets dropped by kernel" from tcpdump (undefined: not printed). */
  kernelDrops: number | undefined;
  truncated: boolean;
}

export class RtpCapture {
  private constructor(
    private readonly proc: OwnedProcess,
    private readonly dir: string,
    private readonly file: string,
  ) {}

  /**
   * Starts tcpdump on lo for UDP from 127.0.0.1 ports [portMin, portMax] to `dstPort`; resolves once
   * tcpdump says it is listening (rejects after 5 s or when it exits).
   */
  static async start(portMin: number, portMax: number, dstPort: number): Promise<RtpCapture> {
    const dir = makeTempDir('bench-rtp-');
    const file = path.join(dir, 'rtp.pcap');
    const filter = `udp and src host 127.0.0.1 and src portrange ${portMin}-${portMax} and dst port ${dstPort}`;
    // -s 64: Ethernet + IP + UDP + RTP header is 54 bytes; -B: 64 MiB kernel buffer for 100k packets/s.
    const proc = spawnOwned('tcpdump', ['-i', 'lo', '-n', '-s', '64', '-B', '65536', '-w', file, filter]);
    const deadline = Date.now() + 5000;
    const state = { exited: false };
    void proc.exited.then(() => { state.exited = true; });
    while (!proc.output().includes('listening on')) {
      if (state.exited || Date.now() > deadline) {
        await proc.stop(500);
        removeTempDir(dir);
        throw new Error(`tcpdump did not start: ${proc.output().trim().split('\n').slice(-2).join(' ')}`);
      }
      await sleep(50);
    }
    return new RtpCapture(proc, dir, file);
  }

  /** Stops tcpdump (SIGTERM flushes the file) and analyses the capture; deletes the file. */
  async stop(): Promise<CaptureStats> {
    await this.proc.stop(5000);
    const drops = /(\d+) packets? dropped by kernel/.exec(this.proc.output())?.[1];
    try {
      return analyse(readUdpPcap(this.file), drops === undefined ? undefined : Number(drops));
    } finally {
      removeTempDir(this.dir);
    }
  }
}

function analyse(capture: ReturnType<typeof readUdpPcap>, kernelDrops: number | undefined): CaptureStats {
  const { packets } = capture;
  const first = packets[0]?.atMs;
  const last = packets[packets.length - 1]?.atMs;
  const windowS = first === undefined || last === undefined ? 0 : (last - first) / 1000;
  const lastAt = new Map<number, number>();
  const counts = new Map<number, number>();
  const intervals: number[] = [];
  for (const p of packets) {
    const prev = lastAt.get(p.srcPort);
    if (prev !== undefined) intervals.push(p.atMs - prev);
    lastAt.set(p.srcPort, p.atMs);
    counts.set(p.srcPort, (counts.get(p.srcPort) ?? 0) + 1);
  }
  const jitter = intervals.map((i) => Math.abs(i - 1000 / PACKETS_PER_S));
  const perStream = [...counts.values()];
  // A stream present through the whole window sends one packet at its start and one every 20 ms after.
  const expectedPerStream = Math.round(PACKETS_PER_S * windowS) + 1;
  const atLeastPerStream = Math.floor(PACKETS_PER_S * windowS);
  return {
    windowS,
    streams: counts.size,
    packets: packets.length,
    expected: Math.round(expectedPerStream * counts.size),
    missing: perStream.reduce((sum, n) => sum + Math.max(0, atLeastPerStream - n), 0),
    perStreamMin: perStream.length === 0 ? undefined : Math.min(...perStream),
    perStreamP1: percentile(perStream, 1),
    perStreamP50: percentile(perStream, 50),
    streamsShort: perStream.filter((n) => n < expectedPerStream * 0.95).length,
    intervalP50: percentile(intervals, 50),
    intervalP99: percentile(intervals, 99),
    intervalMax: intervals.length === 0 ? undefined : intervals.reduce((a, b) => Math.max(a, b), 0),
    jitterP50: percentile(jitter, 50),
    jitterP99: percentile(jitter, 99),
    jitterMax: jitter.length === 0 ? undefined : jitter.reduce((a, b) => Math.max(a, b), 0),
    intervalsOver40: intervals.filter((i) => i > 40).length,
    kernelDrops,
    truncated: capture.truncated,
  };
}
