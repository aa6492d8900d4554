import { expect } from 'chai';
import sinon from 'sinon';
import { FlowError } from '../../../src/ivr/flow-error.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import { countPrompt } from '../../../src/ivr/nodes/say-number-node.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { fakeClock, FakeChannel, flowFrom } from './ivr-test-kit.js';

const flow = (node: string): string => `
name: t
start: n
nodes:
  n: ${node}
  bye: { type: hangup }
`;

async function run(node: string, variables: Record<string, string> = {}): Promise<string[]> {
  const { clock, timers } = fakeClock();
  const channel = new FakeChannel(clock);
  const session = new IvrSession({ flow: flowFrom(flow(node)), channel, clock, logger: silentLogger(), variables });
  const done = session.run();
  await timers.runAllAsync();
  const result = await done;
  sinon.restore();
  expect(result.path).to.deep.equal(['n', 'bye']);
  return channel.started;
}

describe('say-number node', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when the variable holds 3, it plays the prefix, count-3 and the suffix', async () => {
    const played = await run('{ type: say-number, variable: days, prefix: [supervision-overdue], suffix: [supervision-days], next: bye }', { days: '3' });
    expect(played).to.deep.equal(['supervision-overdue', 'count-3', 'supervision-days']);
  });

  it('when given a literal number, it reads it', async () => {
    expect(await run('{ type: say-number, number: 0, next: bye }')).to.deep.equal(['count-0']);
  });

  it('when the count is over twenty, it reads count-many (二十多)', async () => {
    expect(await run('{ type: say-number, variable: days, next: bye }', { days: '27' })).to.deep.equal(['count-many']);
    expect(countPrompt(20)).to.equal('count-20');
    expect(countPrompt(21)).to.equal('count-many');
  });

  it('when the variable is missing or not a whole number, it skips the number and goes on', async () => {
    expect(await run('{ type: say-number, variable: days, suffix: [supervision-days], next: bye }')).to.deep.equal(['supervision-days']);
    expect(await run('{ type: say-number, variable: days, next: bye }', { days: '2.5' })).to.deep.equal([]);
  });

  it('when it has both or neither of variable and number, the loader refuses it', () => {
    expect(() => flowFrom(flow('{ type: say-number, variable: days, number: 2, next: bye }'))).to.throw(FlowError, /exactly one of "variable" or "number"/);
    expect(() => flowFrom(flow('{ type: say-number, next: bye }'))).to.throw(FlowError, /exactly one of "variable" or "number"/);
    expect(() => flowFrom(flow('{ type: say-number, number: -1, next: bye }'))).to.throw(FlowError, /number: must be 0 or more/);
  });

  it('when reading a variable, the loader requires every count prompt; a literal needs only its own', () => {
    const only = new Set(['count-2']);
    expect(() => parseFlow(flow('{ type: say-number, number: 2, next: bye }'), 't.yaml', { hasPrompt: (n) => only.has(n) })).not.to.throw();
    expect(() => parseFlow(flow('{ type: say-number, variable: days, next: bye }'), 't.yaml', { hasPrompt: (n) => only.has(n) })).to.throw(
      FlowError,
      /node "n": variable: unknown prompt "count-0"/,
    );
  });
});
