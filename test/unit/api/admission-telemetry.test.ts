import { expect } from 'chai';
import { Registry } from 'prom-client';
import { registerAdmissionMetrics, type AdmissionStatsSource } from '../../../src/api/admission-telemetry.js';

describe('admission metrics', () => {
  it('when INVITEs are shed, /metrics counts them by reason and shows the loop delay and the shed share', async () => {
    const source = { shedTotals: { rate: 0, concurrency: 0, lag: 0 }, lagMs: 0, shedShare: 0 } satisfies AdmissionStatsSource;
    const registry = new Registry();
    registerAdmissionMetrics(registry, source);
    let text = await registry.metrics();
    // Every reason is a series from the first scrape.
    expect(text).to.match(/^hotline_sip_shed_total\{reason="rate"\} 0$/m);
    expect(text).to.match(/^hotline_sip_shed_total\{reason="lag"\} 0$/m);
    source.shedTotals = { rate: 7, concurrency: 2, lag: 0 };
    source.lagMs = 250;
    source.shedShare = 0.4;
    text = await registry.metrics();
    source.shedTotals = { rate: 9, concurrency: 2, lag: 1 };
    text = await registry.metrics();
    expect(text).to.match(/^hotline_sip_shed_total\{reason="rate"\} 9$/m);
    expect(text).to.match(/^hotline_sip_shed_total\{reason="concurrency"\} 2$/m);
    expect(text).to.match(/^hotline_sip_shed_total\{reason="lag"\} 1$/m);
    expect(text).to.match(/^hotline_sip_event_loop_lag_seconds 0.25$/m);
    expect(text).to.match(/^hotline_sip_admission_shed_share 0.4$/m);
  });
});
