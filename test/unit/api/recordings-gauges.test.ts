import { expect } from 'chai';
import { Registry } from 'prom-client';
import { registerRecordingsGauges, type RecordingsStats } from '../../../src/api/recordings-gauges.js';

describe('recordings on /metrics', () => {
  it('when the folder was measured, it shows files, bytes, free space and expired recordings; before that, a measured time of 0', async () => {
    const registry = new Registry();
    let stats: RecordingsStats = { usage: undefined, expiredTotal: 0 };
    registerRecordingsGauges(registry, () => stats);
    expect(await registry.metrics()).to.match(/^hotline_recordings_measured_timestamp_seconds 0$/m);

    stats = { usage: { files: 12, bytes: 12_582_912, freeBytes: 5_000_000_000, at: 1_764_644_820_000 }, expiredTotal: 3 };
    const text = await registry.metrics();
    expect(text).to.match(/^hotline_recordings_files 12$/m);
    expect(text).to.match(/^hotline_recordings_bytes 12582912$/m);
    expect(text).to.match(/^hotline_recordings_disk_free_bytes 5000000000$/m);
    expect(text).to.match(/^hotline_recordings_measured_timestamp_seconds 1764644820$/m);
    expect(text).to.match(/^hotline_recordings_expired_total 3$/m);
  });
});
