import { expect } from 'chai';
import { Playback } from '../../../src/media/playback.js';
import type { Prompt } from '../../../src/media/prompt-library.js';

function prompt(name: string, bytes: number, fill: number): Prompt {
  return { name, pcmu: Buffer.alloc(bytes, fill), pcma: Buffer.alloc(bytes, fill), durationMs: bytes / 8 };
}

describe('Playback', () => {
  it('when looping, it wraps to the first prompt without a gap and is never exhausted', () => {
    const playback = new Playback([prompt('a', 200, 1), prompt('b', 100, 2)], undefined, { loop: true });
    const out = Buffer.concat(Array.from({ length: 6 }, () => playback.nextFrame('PCMU') ?? Buffer.alloc(0)));
    const cycle = Buffer.concat([Buffer.alloc(200, 1), Buffer.alloc(100, 2)]);
    expect(out.equals(Buffer.concat([cycle, cycle, cycle, cycle]).subarray(0, 960))).to.equal(true);
    expect(playback.exhausted).to.equal(false);
  });

  it('when looping over empty prompts only, it ends instead of spinning', () => {
    const playback = new Playback([prompt('empty', 0, 0)], undefined, { loop: true });
    expect(playback.exhausted).to.equal(true);
    expect(playback.nextFrame('PCMA')).to.equal(undefined);
  });

  it('when not looping, it ends after the last prompt', () => {
    const playback = new Playback([prompt('a', 160, 1)]);
    expect(playback.nextFrame('PCMU')?.length).to.equal(160);
    expect(playback.exhausted).to.equal(true);
  });
});
