import { expect } from 'chai';
import { AgentState } from '../../../src/acd/agent.js';
import { planRecordBatch, type RecordOp, type RecordStep } from '../../../src/db/record-ops.js';

const at = new Date('2024-05-01T08:00:00.000Z');

const create = (key: string, callId = `call-${key}`): RecordOp => ({ kind: 'call-create', key, nodeId: 'node-a', record: { callId, direction: 'inbound', from: '13812345678', to: '12345', startedAt: at } });
const update = (key: string | null, callId: string, digits: string): RecordOp => ({ kind: 'call-update', key, callId, patch: { digits } });
const queueEvent = (key: string): RecordOp => ({ kind: 'queue-event', key, event: { callId: 'c', queue: 'general', event: 'entered', agentId: null, extension: null, waitMs: null, talkMs: null, at } });
const agentEvent = (key: string): RecordOp => ({ kind: 'agent-event', key, event: { agentId: '7', extension: '8001', fromState: AgentState.Ready, toState: AgentState.NotReady, reason: null, at } });
const closeCrashed: RecordOp = { kind: 'calls-close-crashed', nodeId: 'node-a', before: at, endedAt: at };

/** Each step named with the keys (or Call-IDs) it carries, in order. */
function shape(steps: readonly RecordStep[]): string[] {
  return steps.map((s) => {
    switch (s.step) {
      case 'call-creates':
        return `creates ${s.creates.map((c) => c.key).join(',')}`;
      case 'call-updates':
        return `updates ${s.updates.map((u) => `${u.key}:${u.patch.digits ?? ''}`).join(',')}`;
      case 'update-by-call-id':
        return `update ${s.callId}`;
      case 'close-crashed':
        return 'close-crashed';
      case 'queue-events':
        return `queue-events ${s.events.map((e) => e.key).join(',')}`;
      case 'agent-events':
        return `agent-events ${s.events.map((e) => e.key).join(',')}`;
    }
  });
}

describe('planRecordBatch: a batch of spooled writes as bulk steps', () => {
  it('when calls are created and updated interleaved, the creates come first in one insert, then every update in spool order, and the events last', () => {
    const ops = [create('a'), queueEvent('q1'), create('b'), update('a', 'call-a', '1'), agentEvent('s1'), update('b', 'call-b', '2'), create('c'), update('a', 'call-a', '3'), queueEvent('q2')];
    expect(shape(planRecordBatch(ops))).to.deep.equal(['creates a,b,c', 'updates a:1,b:2,a:3', 'queue-events q1,q2', 'agent-events s1']);
  });

  it('when the batch closes a crashed run\'s calls, the writes before it are applied before it and the writes after it after it', () => {
    const ops = [create('a'), update('a', 'call-a', '1'), closeCrashed, create('b'), update('b', 'call-b', '2')];
    expect(shape(planRecordBatch(ops))).to.deep.equal(['creates a', 'updates a:1', 'close-crashed', 'creates b', 'updates b:2']);
  });

  it('when an update names no record key (it goes by Call-ID), it is applied alone at its place', () => {
    const ops = [create('a'), update(null, 'old-call', '9'), create('b', 'old-call'), update('b', 'old-call', '1')];
    expect(shape(planRecordBatch(ops))).to.deep.equal(['creates a', 'update old-call', 'creates b', 'updates b:1']);
  });

  it('when a create follows an update of its own key (never written by our code), the update is applied first, as it would be alone', () => {
    const ops = [update('a', 'call-a', '1'), create('a')];
    expect(shape(planRecordBatch(ops))).to.deep.equal(['updates a:1', 'creates a']);
  });

  it('when the batch holds only queue events, it is one insert of them in spool order', () => {
    expect(shape(planRecordBatch([queueEvent('q1'), queueEvent('q2'), queueEvent('q3')]))).to.deep.equal(['queue-events q1,q2,q3']);
  });

  it('when the batch is empty, there is nothing to do', () => {
    expect(planRecordBatch([])).to.deep.equal([]);
  });
});
