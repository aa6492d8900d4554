import { expect } from 'chai';
import { EventLoopLagSampler } from '../../../src/shared/event-loop-lag-sampler.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('EventLoopLagSampler', () => {
  it('when the event loop is blocked, a sample reports about as long a delay, and the next ones fall back', async () => {
    const samples: number[] = [];
    const sampler = new EventLoopLagSampler({ intervalMs: 20, onSample: (lag) => samples.push(lag) });
    sampler.start();
    try {
      await sleep(70);
      const blockedFrom = samples.length;
      const until = Date.now() + 150;
      while (Date.now() < until) {
        // busy: the timer cannot fire
      }
      await sleep(100);
      const afterBlock = samples.slice(blockedFrom);
      expect(Math.max(...afterBlock), `samples ${afterBlock.map((s) => s.toFixed(0)).join(',')}`).to.be.at.least(100);
      expect(afterBlock.length).to.be.at.least(2);
      expect(afterBlock[afterBlock.length - 1]).to.be.below(100);
    } finally {
      sampler.stop();
    }
  });

  it('when stopped, it samples no more', async () => {
    let n = 0;
    const sampler = new EventLoopLagSampler({ intervalMs: 10, onSample: () => n++ });
    sampler.start();
    sampler.stop();
    sampler.stop();
    await sleep(50);
    expect(n).to.equal(0);
  });
});
