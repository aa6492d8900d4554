import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { silentLogger } from '../../../src/logging/logger.js';
import { MediaError } from '../../../src/media/media-error.js';
import { PromptLibrary } from '../../../src/media/prompt-library.js';
import { EspeakSynthesizer } from '../../../src/media/speech/espeak-synthesizer.js';
import { SpeechService } from '../../../src/media/speech/speech-service.js';
import { decodeUlaw } from '../../../src/media/g711.js';

const hasTools = ['espeak-ng', 'sox'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error === undefined);

/** Real espeak-ng + sox (scripts/ensure-test-deps.sh installs them); skipped cleanly where they are missing. */
describe('EspeakSynthesizer (real espeak-ng)', function () {
  this.timeout(20_000);
  before(function () {
    if (!hasTools) this.skip();
  });

  it('when given Mandarin text, it returns seconds of loud 8 kHz μ-law speech, and the service plays it from the library', async () => {
    const library = new PromptLibrary('/nonexistent', silentLogger());
    const speech = new SpeechService({ synthesizer: new EspeakSynthesizer(), prompts: library, logger: silentLogger(), maxSynthesisMs: 10_000 });
    const started = Date.now();
    const name = await speech.prepare('您的工单已于二〇二六年十二月三日由朝阳区水务局签收');
    const prompt = library.get(name);
    expect(prompt, 'the prompt in the library').to.not.equal(undefined);
    if (prompt === undefined) return;
    expect(prompt.durationMs).to.be.within(2000, 15_000);
    const samples = decodeUlaw(prompt.pcmu);
    let sum = 0;
    for (const s of samples) sum += (s / 32768) ** 2;
    const rms = Math.sqrt(sum / samples.length);
    expect(rms, 'RMS of the speech (normalised to -3 dBFS peak)').to.be.above(0.05);
    console.log(`      espeak-ng: ${prompt.durationMs} ms of speech in ${Date.now() - started} ms`);
    const again = Date.now();
    expect(await speech.prepare('您的工单已于二〇二六年十二月三日由朝阳区水务局签收')).to.equal(name);
    expect(Date.now() - again, 'cache hit').to.be.below(50);
  });

  it('when espeak-ng is not there, it fails with SPEECH_FAILED naming the program', async () => {
    const err = await new EspeakSynthesizer({ espeakPath: '/nonexistent/espeak-ng' }).synthesize('您好', new AbortController().signal).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(MediaError).with.property('code', 'SPEECH_FAILED');
    expect((err as Error).message).to.match(/nonexistent\/espeak-ng|sox/);
  });

  it('when aborted, it kills the processes and rejects', async () => {
    const controller = new AbortController();
    const job = new EspeakSynthesizer().synthesize('您好'.repeat(100), controller.signal).catch((e: unknown) => e);
    controller.abort();
    expect(await job).to.be.instanceOf(MediaError);
  });
});
