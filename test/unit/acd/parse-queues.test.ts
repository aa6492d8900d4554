import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseQueues } from '../../../src/acd/parse-queues.js';
import { QueueFileError } from '../../../src/acd/queue-file-error.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/queues/${name}`, import.meta.url), 'utf8');
const hasPrompt = (name: string): boolean => ['hold-music', 'silence'].includes(name);

function refusal(file: string): QueueFileError {
  try {
    parseQueues(fixture(file), file, { hasPrompt });
  } catch (err) {
    if (err instanceof QueueFileError) return err;
    throw err;
  }
  throw new Error(`${file} was accepted`);
}

describe('parseQueues', () => {
  it('when the shipped ivr-flows/queues.yaml is read, it defines general and complaint as specified', () => {
    const text = readFileSync(new URL('../../../ivr-flows/queues.yaml', import.meta.url), 'utf8');
    const queues = parseQueues(text, 'ivr-flows/queues.yaml', { hasPrompt });
    expect(queues.get('general')).to.deep.include({ skills: ['general'], overflow: null, onMaxWait: 'callback-offer', maxWaitS: 90, serviceLevelS: 15 });
    expect(queues.get('complaint')).to.deep.include({ skills: ['complaint'], overflow: 'general', onMaxWait: 'overflow', maxWaitS: 60 });
  });

  it('when only the required fields are given, it applies the defaults', () => {
    const queues = parseQueues(fixture('good/minimal.yaml'), 'good/minimal.yaml', { hasPrompt });
    expect(queues.get('general')).to.deep.equal({
      name: 'general',
      displayName: '综合咨询',
      skills: ['general'],
      serviceLevelS: 15,
      maxWaitS: 120,
      overflow: null,
      onMaxWait: 'callback-offer',
      music: 'hold-music',
      announceEveryS: 30,
      ringTimeoutS: 15,
      wrapUpS: 30,
      hours: null,
    });
  });

  const cases: [file: string, message: string][] = [
    ['bad/unknown-overflow.yaml', 'bad/unknown-overflow.yaml: queue "complaint": overflow: unknown queue "genral"'],
    ['bad/overflow-loop.yaml', 'bad/overflow-loop.yaml: queue "a": overflow: overflow loop: a → b → a'],
    ['bad/wrong-field-type.yaml', 'bad/wrong-field-type.yaml: queue "general": maxWaitS: Invalid input: expected number, received string'],
    ['bad/extra-field.yaml', 'bad/extra-field.yaml: queue "general": unknown field "priority"'],
    ['bad/missing-skills.yaml', 'bad/missing-skills.yaml: queue "general": skills: required (array)'],
    ['bad/overflow-without-queue.yaml', 'bad/overflow-without-queue.yaml: queue "general": onMaxWait: "overflow" needs an overflow queue'],
    ['bad/not-chinese.yaml', 'bad/not-chinese.yaml: queue "general": displayName: must be in Chinese (it is read by agents and on the wallboard)'],
    ['bad/unknown-music.yaml', 'bad/unknown-music.yaml: queue "general": music: unknown prompt "jazz"'],
  ];
  for (const [file, message] of cases) {
    it(`when ${file} is read, it is refused naming the file, queue and field`, () => {
      const err = refusal(file);
      expect(err.message).to.equal(message);
      expect(err.code).to.equal('QUEUES_INVALID');
    });
  }

  it('when the YAML does not parse, it is refused with the line', () => {
    expect(refusal('bad/yaml-syntax.yaml').message).to.match(/^bad\/yaml-syntax\.yaml: line \d+: YAML syntax: /);
  });

  it('when there are no queues, it is refused at file level', () => {
    expect(() => parseQueues('queues: {}\n', 'empty.yaml')).to.throw(QueueFileError, 'empty.yaml: queues: must define at least one queue');
  });
});
