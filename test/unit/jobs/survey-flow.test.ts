import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import sinon from 'sinon';
import type { CallOutcome } from '../../../src/dialer/outbound-caller.js';
import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import type { Flow } from '../../../src/ivr/flow.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import { RESOLUTION_NODES, SATISFACTION_NODES, surveyAnswerOf } from '../../../src/jobs/survey-result.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeChannel, fakeClock } from '../ivr/ivr-test-kit.js';
import { hasRealPrompt } from './supervision-test-kit.js';

const SURVEY_FLOW = 'ivr-flows/survey.yaml';

async function loadSurveyFlow(): Promise<Flow> {
  return parseFlow(await readFile(SURVEY_FLOW, 'utf8'), SURVEY_FLOW, { hasPrompt: hasRealPrompt, registry: createDefaultNodeRegistry() });
}

/** Runs the flow on a fake call; `keys[i]` is pressed while the i-th menu prompt plays. */
async function answer(keys: string[]): Promise<CallOutcome> {
  const { clock, timers } = fakeClock();
  const channel = new FakeChannel(clock, 1000);
  const session = new IvrSession({ flow: await loadSurveyFlow(), channel, clock, logger: silentLogger() });
  session.observer.on('node', (node) => {
    if (node.type !== 'menu') return;
    const key = keys.shift();
    if (key !== undefined) setImmediate(() => { channel.press(key); });
  });
  const run = session.run();
  for (let i = 0; i < 200 && !channel.ended; i++) await timers.tickAsync(1000);
  const result = await run;
  return { kind: 'answered', callId: 'c1', ivrPath: result.path, digits: result.digits, variables: result.variables, ivrOutcome: result.outcome };
}

describe('ivr-flows/survey.yaml', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when loaded against the real prompt library, it is accepted with a node for every answer', async () => {
    const flow = await loadSurveyFlow();
    expect(flow.name).to.equal('survey');
    for (const id of [...RESOLUTION_NODES, ...SATISFACTION_NODES, 'no-rating']) expect(flow.node(id), id).to.not.equal(undefined);
    expect(flow.node('ask-resolution')?.references().map((r) => `${r.field}=${r.target}`)).to.have.members([
      'options."1"=resolved',
      'options."2"=partly',
      'options."3"=unresolved',
      'onFailure=no-rating',
    ]);
    const names = [...flow.nodes.values()].flatMap((n) => n.prompts().map((p) => p.name));
    expect(names).to.include.members(['survey-intro', 'survey-ask-resolution', 'survey-ask-satisfaction', 'survey-thanks', 'survey-redo', 'survey-no-rating']);
    expect(names.filter((n) => !hasRealPrompt(n))).to.deep.equal([]);
  });

  it('when the resident presses 1 then 1, the path reads resolved and satisfied', async () => {
    expect(surveyAnswerOf(await answer(['1', '1']))).to.deep.equal({ result: 'rated', resolution: 'resolved', satisfaction: 'satisfied' });
  });

  it('when the resident presses 2 then 3, the path reads partly and unsatisfied', async () => {
    expect(surveyAnswerOf(await answer(['2', '3']))).to.deep.equal({ result: 'rated', resolution: 'partly', satisfaction: 'unsatisfied' });
  });

  it('when the resident presses nothing, the menu retries and the run ends without a rating', async () => {
    const outcome = await answer([]);
    expect(outcome.kind === 'answered' ? outcome.ivrPath.at(-1) : undefined).to.equal('no-rating');
    expect(surveyAnswerOf(outcome)).to.deep.equal({ result: 'no-rating', resolution: null, satisfaction: null });
  });

  it('when the call is not answered, the answer says why', () => {
    expect(surveyAnswerOf({ kind: 'failed', failure: 'busy' }).result).to.equal('busy');
    expect(surveyAnswerOf({ kind: 'failed', failure: 'no-answer' }).result).to.equal('no-answer');
    expect(surveyAnswerOf({ kind: 'failed', failure: 'unavailable' }).result).to.equal('failed');
  });
});
