import { expect } from 'chai';
import path from 'node:path';
import { freePortRange } from '../support/ports.js';
import { startServer, type ServerHandle } from '../support/server-process.js';
import { describeSipp, runSipp, SCENARIO_DIR } from '../support/sipp.js';
import { testDatabaseUrl, testDbKind, type TestDatabaseUrl } from '../support/test-database.js';

const UAC_OVERLOAD = path.join(SCENARIO_DIR, 'uac-overload.xml');

/** Status codes of the responses sipp received to INVITEs, one entry per message (retransmissions too). */
function inviteFinals(trace: string): { ok: Set<string>; refused: Set<string>; refusedMessages: number } {
  const ok = new Set<string>();
  const refused = new Set<string>();
  let refusedMessages = 0;
  for (const message of trace.split(/-{5,}.*\n/)) {
    const status = /^SIP\/2\.0 (\d{3})/m.exec(message)?.[1];
    if (status === undefined || !/^CSeq:\s*\d+ INVITE/im.test(message)) continue;
    const callId = /^Call-ID:\s*(\S+)/im.exec(message)?.[1] ?? '';
    if (status === '200') ok.add(callId);
    if (status === '503') {
      refused.add(callId);
      refusedMessages++;
      expect(message, 'every 503 carries Retry-After').to.match(/^Retry-After:\s*\d+/im);
    }
  }
  return { ok, refused, refusedMessages };
}

/**
 * Overload control end to end: the real server with SIP_MAX_CALLS_PER_S=5 against sipp placing 20
 * calls a second. The excess gets 503 + Retry-After, admitted calls go through normally (200, ACK,
 * IVR, BYE) and all end, and /healthz keeps answering meanwhile.
 */
describe(`overload control, end to end (${testDbKind()})`, function () {
  this.timeout(90_000);
  let server: ServerHandle;
  let database: TestDatabaseUrl;

  before(async () => {
    database = await testDatabaseUrl();
    server = await startServer({ SIP_MAX_CALLS_PER_S: '5', DRAIN_TIMEOUT_S: '2', LOG_LEVEL: 'info' }, { databaseUrl: database.url });
  });

  after(async () => {
    await server.stop();
    await database.cleanup();
  });

  it('when sipp places 20 calls/s against a limit of 5/s, the excess gets 503 with Retry-After and every admitted call completes and ends', async () => {
    const health: { status: number; ms: number }[] = [];
    const load = { running: true };
    const poll = (async () => {
      while (load.running) {
        const started = performance.now();
        try {
          const res = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
          health.push({ status: res.status, ms: performance.now() - started });
        } catch {
          health.push({ status: 0, ms: performance.now() - started });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const result = await runSipp({
      scenario: UAC_OVERLOAD,
      target: `127.0.0.1:${server.sipPort}`,
      mediaPort: await freePortRange(4),
      calls: 60,
      rate: 20,
      pauseMs: 1000,
      timeoutS: 40,
      traceMessages: true,
    });
    load.running = false;
    await poll;

    expect(result.exitCode, `${describeSipp(result)}\n--- server ---\n${server.tail(30)}`).to.equal(0);
    expect(result.stats?.successful).to.equal(60);
    const { ok, refused, refusedMessages } = inviteFinals(result.messages);
    // 5 at once (one second's burst), then 5 a second over the ~3 s of load.
    expect(ok.size, 'admitted calls').to.be.within(8, 30);
    expect(refused.size, 'shed calls').to.be.at.least(25);
    expect(ok.size + refused.size).to.equal(60);
    expect([...ok].filter((id) => refused.has(id)), 'no call both admitted and refused').to.deep.equal([]);

    // Every admitted call has a record, ended by the caller's BYE; a shed call leaves no record at all.
    const deadline = Date.now() + 15_000;
    let calls = await server.calls();
    while (calls.filter((c) => c.endedAt !== null).length < ok.size && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      calls = await server.calls();
    }
    expect(calls.map((c) => c.callId).sort()).to.deep.equal([...ok].sort());
    for (const call of calls) {
      expect(call, call.callId).to.include({ endReason: 'hangup', hungUpBy: 'caller' });
      expect(call.answeredAt, call.callId).to.be.a('string');
    }

    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const shedBy = (reason: string): number => Number(new RegExp(`^hotline_sip_shed_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    // Mostly rate; on a busy machine the loop-lag signal may take a share of them too.
    expect(shedBy('rate'), 'hotline_sip_shed_total{reason="rate"}').to.be.above(0);
    expect(shedBy('rate') + shedBy('lag') + shedBy('concurrency'), 'hotline_sip_shed_total').to.equal(refused.size);
    expect(refusedMessages, 'a 503 per shed INVITE (plus one per retransmission, if any)').to.be.at.least(refused.size);
    const answered = Number(/^hotline_answer_latency_seconds_count (\d+)$/m.exec(metrics)?.[1]);
    expect(answered, 'hotline_answer_latency_seconds_count').to.equal(ok.size);
    expect(metrics).to.match(/^hotline_sip_event_loop_lag_seconds \d/m);
    expect(metrics).to.match(/^hotline_sip_admission_shed_share [\d.]+$/m);

    // /healthz answered all along (same event loop as SIP).
    expect(health.length).to.be.at.least(10);
    expect(health.filter((h) => h.status !== 200), JSON.stringify(health)).to.deep.equal([]);
    const slowest = Math.max(...health.map((h) => h.ms));
    // A loose bound for a busy shared machine; the figure itself is printed for the record.
    expect(slowest, 'slowest /healthz in ms').to.be.below(1000);
    console.log(`      admitted ${ok.size}, shed ${refused.size}; /healthz ${health.length} polls, slowest ${slowest.toFixed(1)} ms`);

    // One summary line per 10 s while shedding, never one per INVITE.
    const lines = server.logs().split('\n').filter((l) => l.includes('new calls refused with 503'));
    expect(lines.length, lines.join('\n')).to.be.within(1, 2);
  });
});
