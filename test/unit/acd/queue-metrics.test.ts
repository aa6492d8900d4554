import { expect } from 'chai';
import type { QueueEvent, QueueEventType } from '../../../src/acd/acd-record-repository.js';
import { queueMetrics } from '../../../src/acd/queue-metrics.js';

const T0 = Date.parse('2024-05-01T08:00:00.000Z');

function ev(callId: string, event: QueueEventType, atS: number, waitS: number | null = null, queue = 'general'): QueueEvent {
  return { callId, queue, event, agentId: null, extension: null, waitMs: waitS === null ? null : waitS * 1000, talkMs: null, at: new Date(T0 + atS * 1000) };
}

/**
 * Five calls: c1 answered at 10 s (handled 100 s), c2 answered at 20 s after a RONA (handled 50 s),
 * c3 abandoned after 3 s, c4 abandoned after 40 s, c5 overflowed from complaint and answered at 15 s
 * (its wrap-up has not ended yet).
 */
const EVENTS: QueueEvent[] = [
  ev('c1', 'entered', 0, 0),
  ev('c1', 'offered', 2, 2),
  ev('c1', 'answered', 10, 10),
  ev('c1', 'ended', 80),
  ev('c1', 'wrap-up-ended', 110),
  ev('c2', 'entered', 0, 0),
  ev('c2', 'offered', 1, 1),
  ev('c2', 'rona', 16, 16),
  ev('c2', 'offered', 17, 17),
  ev('c2', 'answered', 20, 20),
  ev('c2', 'ended', 60),
  ev('c2', 'wrap-up-ended', 70),
  ev('c3', 'entered', 0, 0),
  ev('c3', 'abandoned', 3, 3),
  ev('c4', 'entered', 0, 0),
  ev('c4', 'abandoned', 40, 40),
  ev('c5', 'entered', 0, 0, 'complaint'),
  ev('c5', 'overflow', 10, 10, 'complaint'),
  ev('c5', 'entered', 10, 10),
  ev('c5', 'answered', 15, 15),
];

describe('queueMetrics', () => {
  it('when computed over the whole centre, it counts each call once and applies the DOMAIN formulas', () => {
    expect(queueMetrics(EVENTS)).to.deep.equal({
      offered: 5,
      answered: 3,
      answeredWithinSl: 2, // c1 (10 s), c5 (15 s: "within" includes 15 s); c2 waited 20 s
      abandoned: 2,
      answerRate: 3 / 5,
      serviceLevel: 2 / 5,
      abandonRate: 2 / 5,
      asaS: (10 + 20 + 15) / 3,
      ahtS: (100 + 50) / 2, // answered → wrap-up-ended; c5 not finished
    });
  });

  it('when abandons under 5 s are excluded by setting, they leave the service-level denominator only', () => {
    const m = queueMetrics(EVENTS, { excludeAbandonsUnderS: 5 });
    expect(m.serviceLevel).to.equal(2 / 4);
    expect(m.abandonRate).to.equal(2 / 5);
  });

  it('when computed for one queue, an overflowed call counts as offered and unanswered there', () => {
    const m = queueMetrics(EVENTS.filter((e) => e.queue === 'complaint'));
    expect(m).to.include({ offered: 1, answered: 0, abandoned: 0, serviceLevel: 0, asaS: null, ahtS: null });
  });

  it('when there are no events, the ratios are null rather than NaN', () => {
    expect(queueMetrics([])).to.deep.equal({
      offered: 0,
      answered: 0,
      answeredWithinSl: 0,
      abandoned: 0,
      answerRate: null,
      serviceLevel: null,
      abandonRate: null,
      asaS: null,
      ahtS: null,
    });
  });
});
