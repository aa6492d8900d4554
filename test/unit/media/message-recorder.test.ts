import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/logging/logger.js';
import { ALAW_SILENCE, linearToAlaw } from '../../../src/media/g711.js';
import { MessageRecorder } from '../../../src/media/message-recorder.js';

/** One 20 ms A-law frame of a 400 Hz tone at `amplitude` (16-bit linear). */
function frame(amplitude: number, offset = 0): Buffer {
  const out = Buffer.alloc(160);
  for (let i = 0; i < 160; i++) out[i] = linearToAlaw(Math.round(amplitude * Math.sin((2 * Math.PI * 400 * (offset + i)) / 8000)));
  return out;
}
const quiet = (): Buffer => Buffer.alloc(160, ALAW_SILENCE);

describe('MessageRecorder (a caller\'s message, 留言)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'message-recorder-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when the caller speaks and then stays silent, it ends on silence after silenceMs from the last voice, not from the start', () => {
    const rec = new MessageRecorder(join(dir, 'a.wav'), { maxMs: 60_000, silenceMs: 3000 }, 0, silentLogger());
    for (let t = 0; t < 2000; t += 20) rec.push(frame(8000, t * 8), 'PCMA', t + 20);
    for (let t = 2000; t < 4000; t += 20) rec.push(quiet(), 'PCMA', t + 20);
    expect(rec.due(4000)).to.equal(undefined);
    expect(rec.due(4999)).to.equal(undefined);
    expect(rec.due(5000)).to.equal('silence');
  });

  it('when nothing is said at all, it ends on silence silenceMs after the start; a long message ends at maxMs', () => {
    const silent = new MessageRecorder(join(dir, 'b.wav'), { maxMs: 60_000, silenceMs: 3000 }, 1000, silentLogger());
    silent.push(quiet(), 'PCMA', 1020);
    expect(silent.due(3999)).to.equal(undefined);
    expect(silent.due(4000)).to.equal('silence');
    const long = new MessageRecorder(join(dir, 'c.wav'), { maxMs: 5000, silenceMs: 3000 }, 0, silentLogger());
    for (let t = 0; t < 5000; t += 20) long.push(frame(8000, t * 8), 'PCMA', t + 20);
    expect(long.due(4999)).to.equal(undefined);
    expect(long.due(5000)).to.equal('max-length');
  });

  it('when it finishes, the WAV is mono 8 kHz PCM of the real length (gaps and the pause before # as silence), with the voice counted', async () => {
    const path = join(dir, 'd.wav');
    const rec = new MessageRecorder(path, { maxMs: 60_000, silenceMs: 6000 }, 0, silentLogger());
    // 1 s of speech, a 500 ms gap in the packets (loss), 1 s of speech, then 1.5 s without packets before #.
    for (let t = 0; t < 1000; t += 20) rec.push(frame(8000, t * 8), 'PCMA', t + 20);
    for (let t = 1500; t < 2500; t += 20) rec.push(frame(8000, t * 8), 'PCMA', t + 20);
    const result = await rec.finish('stopped', 4000);
    expect(result).to.deep.equal({ end: 'stopped', durationMs: 4000, voicedMs: 2000 });
    const wav = await readFile(path);
    expect(wav.readUInt16LE(22), 'channels').to.equal(1);
    expect(wav.readUInt32LE(24), 'rate').to.equal(8000);
    expect(wav.readUInt32LE(40), 'data size').to.equal(4000 * 8 * 2);
    const peak = (fromMs: number, toMs: number): number => {
      let m = 0;
      for (let ms = fromMs; ms < toMs; ms++) for (let k = 0; k < 8; k++) m = Math.max(m, Math.abs(wav.readInt16LE(44 + (ms * 8 + k) * 2)));
      return m;
    };
    expect(peak(100, 900), 'speech').to.be.above(6000);
    expect(peak(1050, 1450), 'the lost packets are silence').to.equal(0);
    expect(peak(2600, 3990), 'the pause before #').to.equal(0);
  });
});
