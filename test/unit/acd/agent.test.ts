import { expect } from 'chai';
import { Agent, AgentState } from '../../../src/acd/agent.js';
import { InvalidStateError } from '../../../src/shared/app-error.js';

describe('Agent', () => {
  it('when it goes through a whole call, each move returns from, to, reason and time', () => {
    const agent = new Agent('1001', '8001', new Set(['general']), 0);
    expect(agent.transition(AgentState.Ready, null, 10)).to.deep.equal({ from: 'logged-out', to: 'ready', reason: null, at: 10 });
    agent.transition(AgentState.Offered, null, 20);
    expect(agent.idleSince).to.equal(10);
    agent.transition(AgentState.Busy, null, 25);
    agent.transition(AgentState.WrapUp, null, 90);
    agent.transition(AgentState.Ready, null, 120);
    expect(agent.snapshot()).to.include({ state: 'ready', reason: null, since: 120, idleSince: 120 });
  });

  it('when an offer is withdrawn, the agent keeps its idle time', () => {
    const agent = new Agent('1001', '8001', new Set(), 0);
    agent.transition(AgentState.Ready, null, 10);
    agent.transition(AgentState.Offered, null, 20);
    agent.transition(AgentState.Ready, null, 30, { keepIdleSince: true });
    expect(agent.idleSince).to.equal(10);
  });

  const illegal: [AgentState[], AgentState, string][] = [
    [[], AgentState.Busy, 'agent 1001 is logged-out: cannot go to busy'],
    [[AgentState.Ready], AgentState.Busy, 'agent 1001 is ready: cannot go to busy'],
    [[AgentState.Ready, AgentState.Offered], AgentState.WrapUp, 'agent 1001 is offered: cannot go to wrap-up'],
    [[AgentState.Ready, AgentState.Offered, AgentState.Busy], AgentState.Ready, 'agent 1001 is busy: cannot go to ready'],
    [[AgentState.Ready, AgentState.NotReady], AgentState.Offered, 'agent 1001 is not-ready (RONA): cannot go to offered'],
  ];
  for (const [path, to, message] of illegal) {
    it(`when it is ${path.at(-1) ?? 'logged-out'} and asked to go ${to}, it throws InvalidStateError naming the state`, () => {
      const agent = new Agent('1001', '8001', new Set(), 0);
      for (const s of path) agent.transition(s, s === AgentState.NotReady ? 'RONA' : null, 1);
      expect(() => agent.transition(to, null, 2)).to.throw(InvalidStateError, message);
    });
  }
});
