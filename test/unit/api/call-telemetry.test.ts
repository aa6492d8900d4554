import { expect } from 'chai';
import { Registry } from 'prom-client';
import sinon from 'sinon';
import { CallTelemetry } from '../../../src/api/call-telemetry.js';

describe('CallTelemetry', () => {
  afterEach(() => {
    sinon.restore();
  });

  async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
  }

  it('when calls start and end, it tracks active calls and counts results by direction', async () => {
    const registry = new Registry();
    const t = new CallTelemetry(registry, { defaultMetrics: false });
    t.callStarted('inbound');
    t.callStarted('outbound');
    expect(await value(registry, 'hotline_active_calls')).to.equal(2);
    t.callEnded('inbound', 'answered');
    t.callEnded('outbound', 'failed');
    t.callEnded('outbound', 'failed');
    expect(await value(registry, 'hotline_active_calls')).to.equal(0);
    expect(await value(registry, 'hotline_calls_total', { direction: 'inbound', result: 'answered' })).to.equal(1);
    expect(await value(registry, 'hotline_calls_total', { direction: 'outbound', result: 'failed' })).to.equal(2);
  });

  it('when a call is answered, it records the latency in seconds in the 5 ms..2 s buckets', async () => {
    const registry = new Registry();
    const t = new CallTelemetry(registry, { defaultMetrics: false });
    t.callAnswered('inbound', 30);
    t.callAnswered('inbound', 3000);
    const text = await registry.metrics();
    expect(text).to.match(/^hotline_answer_latency_seconds_bucket\{le="0.005"\} 0$/m);
    expect(text).to.match(/^hotline_answer_latency_seconds_bucket\{le="0.05"\} 1$/m);
    expect(text).to.match(/^hotline_answer_latency_seconds_bucket\{le="2"\} 1$/m);
    expect(text).to.match(/^hotline_answer_latency_seconds_count 2$/m);
    expect(text).to.match(/^hotline_answer_latency_seconds_sum 3.03$/m);
  });

  it('when two telemetries use two registries, they do not collide', () => {
    expect(() => {
      new CallTelemetry(new Registry());
      new CallTelemetry(new Registry());
    }).not.to.throw();
  });
});
