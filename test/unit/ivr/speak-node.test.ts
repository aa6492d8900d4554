import { expect } from 'chai';
import sinon from 'sinon';
import { FlowError } from '../../../src/ivr/flow-error.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import type { Speech } from '../../../src/ivr/speech/speech.js';
import { parseTemplate, renderTemplate, templateVariables } from '../../../src/ivr/speech/template.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeChannel, fakeClock } from './ivr-test-kit.js';

const PROMPTS = new Set(['speech-unavailable', 'goodbye', 'menu', 'sorry', 'invalid', 'no-input']);
const hasPrompt = (n: string): boolean => PROMPTS.has(n);

const FLOW = (speak: string): string => `
name: s
start: say
nodes:
  say: { type: speak, ${speak}, next: bye }
  bye: { type: hangup, prompts: [goodbye] }
`;

/** A synthesiser that answers `tts:<text>` after `ms` of fake time, or fails. */
class FakeSpeech implements Speech {
  readonly asked: string[] = [];
  constructor(
    private readonly clock: { setTimeout: (fn: () => void, ms: number) => unknown },
    private readonly ms = 200,
    private readonly fail = false,
  ) {}

  prepare(text: string): Promise<string> {
    this.asked.push(text);
    return new Promise((resolve, reject) => {
      this.clock.setTimeout(() => {
        if (this.fail) reject(new Error('espeak-ng exited with 1'));
        else resolve(`tts:${text}`);
      }, this.ms);
    });
  }
}

function run(yaml: string, options: { speech?: 'ok' | 'fail' | 'none'; variables?: Record<string, string> } = {}) {
  const { clock, timers } = fakeClock();
  const channel = new FakeChannel(clock, 1000);
  const speech = options.speech === 'none' ? undefined : new FakeSpeech(clock, 200, options.speech === 'fail');
  const flow = parseFlow(yaml, 'f.yaml', { hasPrompt });
  const session = new IvrSession({ flow, channel, clock, logger: silentLogger(), ...(speech ? { speech } : {}), ...(options.variables ? { variables: options.variables } : {}) });
  return { channel, timers, speech, result: session.run() };
}

describe('speak node', () => {
  afterEach(() => {
    sinon.restore();
  });

  describe('templates', () => {
    it('when a template has slots, it parses text and variables and renders them from the run', () => {
      const parsed = parseTemplate('您的工单{{unitName}}已于{{ date }}签收');
      expect(parsed.ok).to.equal(true);
      if (!parsed.ok) return;
      expect(templateVariables(parsed.parts)).to.deep.equal(['unitName', 'date']);
      expect(renderTemplate(parsed.parts, new Map([['unitName', '朝阳区水务局'], ['date', '二〇二六年十二月三日']]))).to.deep.equal({ text: '您的工单朝阳区水务局已于二〇二六年十二月三日签收', missing: [] });
      expect(renderTemplate(parsed.parts, new Map([['unitName', '']])).missing).to.deep.equal(['unitName', 'date']);
    });

    for (const [template, reason] of [
      ['您好{{name', /"\{\{" not closed at character 3/],
      ['您好}}', /"\}\}" without "\{\{"/],
      ['您好{{}}', /is not a variable name/],
      ['{{1abc}}', /is not a variable name/],
      ['   ', /must not be empty/],
    ] as const) {
      it(`when the template is ${JSON.stringify(template)}, it is refused with the reason`, () => {
        const parsed = parseTemplate(template);
        expect(parsed.ok).to.equal(false);
        if (!parsed.ok) expect(parsed.reason).to.match(reason);
      });
    }
  });

  it('when the flow has a bad template, the loader refuses it naming the node and the field', () => {
    expect(() => parseFlow(FLOW('text: "工单{{code"'), 'f.yaml', { hasPrompt })).to.throw(FlowError, /f\.yaml: node "say": text: bad template: "\{\{" not closed/);
  });

  it('when the fallback prompt does not exist, the loader refuses it', () => {
    expect(() => parseFlow(FLOW('text: 您好, fallback: [nothing]'), 'f.yaml', { hasPrompt })).to.throw(FlowError, /node "say": fallback\[0\]: unknown prompt "nothing"/);
  });

  it('when the variables are set, it synthesises the fixed text and each value apart (each cached on its own), plays them in order and records the whole text spoken', async () => {
    const { channel, timers, speech, result } = run(FLOW('text: "您的工单已于{{date}}由{{unit}}签收。"'), { variables: { date: '十二月三日', unit: '朝阳区水务局' } });
    await timers.tickAsync(10_000); // five pieces of 1 s each, then goodbye
    const r = await result;
    expect(speech?.asked).to.deep.equal(['您的工单已于', '十二月三日', '由', '朝阳区水务局', '签收。']);
    expect(channel.started).to.deep.equal(['tts:您的工单已于', 'tts:十二月三日', 'tts:由', 'tts:朝阳区水务局', 'tts:签收。', 'goodbye']);
    expect(r.spoken).to.deep.equal(['您的工单已于十二月三日由朝阳区水务局签收。']);
    expect(r.path).to.deep.equal(['say', 'bye']);
  });

  it('when a piece has nothing to say (punctuation between two values), it is not synthesised', async () => {
    const { channel, timers, speech, result } = run(FLOW('text: "{{a}}，{{b}}"'), { variables: { a: '已签收', b: '办理中' } });
    await timers.tickAsync(5000);
    await result;
    expect(speech?.asked).to.deep.equal(['已签收', '办理中']);
    expect(channel.started).to.deep.equal(['tts:已签收', 'tts:办理中', 'goodbye']);
  });

  it('when the text has no variables, it is synthesised whole', async () => {
    const { channel, timers, speech, result } = run(FLOW('text: "您的工单已签收"'));
    await timers.tickAsync(5000);
    const r = await result;
    expect(speech?.asked).to.deep.equal(['您的工单已签收']);
    expect(channel.started).to.deep.equal(['tts:您的工单已签收', 'goodbye']);
    expect(r.spoken).to.deep.equal(['您的工单已签收']);
  });

  it('when synthesis fails, it plays the fallback and goes on', async () => {
    const { channel, timers, result } = run(FLOW('text: 您好, fallback: [sorry]'), { speech: 'fail' });
    await timers.tickAsync(5000);
    const r = await result;
    expect(channel.started).to.deep.equal(['sorry', 'goodbye']);
    expect(r.spoken).to.deep.equal([]);
    expect(r.outcome).to.equal('hangup');
  });

  it('when a variable is missing, it does not synthesise a half sentence: the default fallback plays', async () => {
    const { channel, timers, speech, result } = run(FLOW('text: "{{unitName}}已签收"'));
    await timers.tickAsync(5000);
    await result;
    expect(speech?.asked).to.deep.equal([]);
    expect(channel.started).to.deep.equal(['speech-unavailable', 'goodbye']);
  });

  it('when there is no synthesiser, it plays the fallback', async () => {
    const { channel, timers, result } = run(FLOW('text: 您好'), { speech: 'none' });
    await timers.tickAsync(5000);
    await result;
    expect(channel.started).to.deep.equal(['speech-unavailable', 'goodbye']);
  });

  it('when bargeIn is set and a key comes while it speaks, the speech stops and the key is kept', async () => {
    const yaml = `
name: s
start: say
nodes:
  say: { type: speak, text: 您好, bargeIn: true, next: m }
  m: { type: menu, prompt: [menu], options: { "0": bye } }
  bye: { type: hangup }
`;
    const { channel, timers, result } = run(yaml);
    await timers.tickAsync(500); // synthesised at 200 ms, speaking
    channel.press('0');
    await timers.tickAsync(100);
    const r = await result;
    expect(channel.plays[0]).to.deep.equal({ prompts: ['tts:您好'], outcome: 'stopped' });
    expect(r.path).to.deep.equal(['say', 'm', 'bye']);
  });
});
