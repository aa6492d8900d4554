import { expect } from 'chai';
import { ACKNOWLEDGED_NODE, DUE_SOON_ENTRY } from '../../../src/jobs/supervision.job.js';
import { hasRealPrompt, loadSupervisionFlow } from './supervision-test-kit.js';

describe('ivr-flows/supervision.yaml', () => {
  it('when loaded against the real prompt library, it is accepted with both openings and the acknowledged node', async () => {
    const flow = await loadSupervisionFlow();
    expect(flow.name).to.equal('supervision');
    expect(flow.start).to.equal('intro');
    expect(flow.node(DUE_SOON_ENTRY)?.type).to.equal('play');
    expect(flow.node(ACKNOWLEDGED_NODE)?.type).to.equal('hangup');
    expect(flow.node('days')?.type).to.equal('say-number');
    expect(flow.node('press-1')?.references().map((r) => `${r.field}=${r.target}`)).to.have.members(['options."1"=acknowledged', 'onFailure=no-ack']);
  });

  it('when every prompt it names is looked up, each one is a generated file', async () => {
    const flow = await loadSupervisionFlow();
    const names = [...flow.nodes.values()].flatMap((n) => n.prompts().map((p) => p.name));
    expect(names).to.include.members(['supervision-intro', 'supervision-overdue', 'supervision-days', 'supervision-due-soon', 'supervision-press-1', 'supervision-thanks', 'supervision-no-ack', 'count-many', 'digit-1']);
    expect(names.filter((n) => !hasRealPrompt(n))).to.deep.equal([]);
  });
});
