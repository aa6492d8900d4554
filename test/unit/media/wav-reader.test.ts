import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sinon from 'sinon';
import { silentLogger } from '../../../src/logging/logger.js';
import { ULAW_TO_ALAW, mapBytes } from '../../../src/media/g711.js';
import { MediaError } from '../../../src/media/media-error.js';
import { PromptLibrary } from '../../../src/media/prompt-library.js';
import { parseWav, readWav } from '../../../src/media/wav-reader.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/media/${name}`, import.meta.url));

async function refusal(path: string): Promise<MediaError> {
  try {
    await readWav(path);
  } catch (err) {
    if (err instanceof MediaError) return err;
    throw err;
  }
  throw new Error(`${path} was accepted`);
}

describe('WAV reader', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when reading 8 kHz mono 16-bit PCM, it returns the samples of the data chunk', async () => {
    const wav = await readWav(fixture('pcm16-8k-mono.wav'));
    expect(wav).to.include({ encoding: 'pcm16', sampleRate: 8000, channels: 1 });
    expect(wav.data.length).to.equal(1600); // 0.1 s × 8000 × 2 bytes
    const raw = await readFile(fixture('pcm16-8k-mono.wav'));
    expect(wav.data.equals(raw.subarray(44))).to.equal(true);
  });

  it('when reading μ-law and A-law files (fmt with cbSize and a fact chunk), it returns one byte per sample', async () => {
    const u = await readWav(fixture('ulaw-8k-mono.wav'));
    const a = await readWav(fixture('alaw-8k-mono.wav'));
    expect(u.encoding).to.equal('ulaw');
    expect(a.encoding).to.equal('alaw');
    expect(u.data.length).to.equal(800);
    expect(a.data.length).to.equal(800);
  });

  it('when the sample rate is 16 kHz, it refuses naming the file and the rate', async () => {
    const err = await refusal(fixture('bad/pcm16-16k.wav'));
    expect(err.code).to.equal('PROMPT_INVALID');
    expect(err.message).to.contain('pcm16-16k.wav').and.to.contain('16000 Hz');
  });

  it('when the file is stereo, it refuses naming the channel count', async () => {
    const err = await refusal(fixture('bad/pcm16-stereo.wav'));
    expect(err.message).to.contain('pcm16-stereo.wav').and.to.contain('2 channels');
  });

  it('when the encoding is float, it refuses naming the format', async () => {
    const err = await refusal(fixture('bad/float32.wav'));
    expect(err.message).to.contain('float32.wav').and.to.contain('format 3');
  });

  it('when the file is not RIFF/WAVE, it refuses', async () => {
    const err = await refusal(fixture('bad/not-riff.wav'));
    expect(err.message).to.contain('not-riff.wav: not a RIFF/WAVE file');
  });

  it('when the data chunk is missing, it refuses', () => {
    const header = Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00', 'latin1');
    const fmt = Buffer.alloc(16);
    fmt.writeUInt16LE(7, 0);
    fmt.writeUInt16LE(1, 2);
    fmt.writeUInt32LE(8000, 4);
    fmt.writeUInt32LE(8000, 8);
    fmt.writeUInt16LE(1, 12);
    fmt.writeUInt16LE(8, 14);
    expect(() => parseWav(Buffer.concat([header, fmt]), 'mem.wav')).to.throw(MediaError, 'mem.wav: no data chunk');
  });
});

describe('PromptLibrary', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when loading a directory, it names prompts after their files and holds PCMU and PCMA payload', async () => {
    const lib = new PromptLibrary(fixture('prompts'), silentLogger());
    await lib.load();
    expect(lib.names).to.deep.equal(['beep', 'tone-1s']);
    const tone = lib.get('tone-1s');
    expect(tone?.pcmu.length).to.equal(8000);
    expect(tone?.durationMs).to.equal(1000);
    const raw = await readWav(fixture('prompts/tone-1s.wav'));
    expect(tone?.pcmu.equals(raw.data)).to.equal(true);
    expect(tone?.pcma.equals(mapBytes(raw.data, ULAW_TO_ALAW))).to.equal(true);
    expect(lib.get('beep')?.pcmu.length).to.equal(400); // 16-bit PCM encoded once at load
  });

  it('when the directory holds a bad file, it refuses to load naming that file', async () => {
    const lib = new PromptLibrary(fixture('bad'), silentLogger());
    try {
      await lib.load();
      expect.fail('load succeeded');
    } catch (err) {
      expect(err).to.be.instanceOf(MediaError);
      expect((err as MediaError).message).to.match(/float32\.wav/);
    }
  });
});
