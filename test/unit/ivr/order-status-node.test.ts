import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import sinon from 'sinon';
import { createDefaultNodeRegistry } from '../../../src/ivr/default-node-registry.js';
import { FlowError } from '../../../src/ivr/flow-error.js';
import { IvrSession } from '../../../src/ivr/ivr-session.js';
import { samePhone } from '../../../src/ivr/nodes/order-status-node.js';
import type { OrderLookup, OrderStatus } from '../../../src/ivr/order-lookup.js';
import { parseFlow } from '../../../src/ivr/parse-flow.js';
import type { Speech } from '../../../src/ivr/speech/speech.js';
import { countForSpeech, dayForSpeech, digitsForSpeech } from '../../../src/ivr/speech/spoken-words.js';
import { silentLogger } from '../../../src/logging/logger.js';
import { FakeChannel, fakeClock, hasPrompt } from './ivr-test-kit.js';

const RESIDENT = '13800138123';
const ORDER: OrderStatus = { code: '20261203-000123', residentPhone: RESIDENT, acceptedDay: '20261203', unitName: '朝阳区水务局', step: 'signed', replyByDay: '20261217' };
const OLDER: OrderStatus = { ...ORDER, code: '20261120-000007', step: 'in-progress' };

class FakeOrders implements OrderLookup {
  readonly asked: string[] = [];
  constructor(private readonly orders: readonly OrderStatus[], private readonly fail = false) {}
  byCode(code: string): Promise<OrderStatus | undefined> {
    this.asked.push(`code:${code}`);
    if (this.fail) return Promise.reject(new Error('database down'));
    const digits = code.replace(/\D/g, '');
    return Promise.resolve(this.orders.find((o) => o.code.replace(/\D/g, '') === digits));
  }
  openByPhone(phone: string, limit: number): Promise<readonly OrderStatus[]> {
    this.asked.push(`phone:${phone}`);
    if (this.fail) return Promise.reject(new Error('database down'));
    return Promise.resolve(this.orders.filter((o) => o.residentPhone === phone).slice(0, limit));
  }
}

/** Speaks instantly: the prompt name is the text. */
const speech: Speech = { prepare: (text) => Promise.resolve(`tts:${text}`) };

async function defaultFlow() {
  return parseFlow(await readFile('ivr-flows/default.yaml', 'utf8'), 'ivr-flows/default.yaml', {
    hasPrompt,
    registry: createDefaultNodeRegistry({ isQueue: (q) => ['general', 'consult', 'complaint'].includes(q) }),
  });
}

async function call(caller: string, orders: FakeOrders, keys: (press: (k: string) => void, tick: (ms: number) => Promise<void>) => Promise<void>) {
  const { clock, timers } = fakeClock();
  const channel = new FakeChannel(clock, 1000);
  const session = new IvrSession({ flow: await defaultFlow(), channel, clock, logger: silentLogger(), speech, orders, variables: { callerNumber: caller } });
  const result = session.run();
  await keys(
    (k) => {
      channel.press(k);
    },
    async (ms) => {
      await timers.tickAsync(ms);
    },
  );
  await timers.tickAsync(60_000);
  return { r: await result, channel };
}

describe('order-status node and progress self-service (default flow)', () => {
  afterEach(() => {
    sinon.restore();
  });

  describe('spoken words', () => {
    it('when reading dates, codes and counts, it writes them as a 12345 agent says them', () => {
      expect(dayForSpeech('20261203')).to.equal('二〇二六年十二月三日');
      expect(dayForSpeech('20270110')).to.equal('二〇二七年一月十日');
      expect(digitsForSpeech('20261122-000123')).to.equal('二零二六幺幺二二,零零零幺二三');
      expect(countForSpeech(2, { liang: true })).to.equal('两');
      expect(countForSpeech(2)).to.equal('二');
      expect(countForSpeech(12)).to.equal('十二');
      expect(countForSpeech(20)).to.equal('二十');
      expect(countForSpeech(31)).to.equal('三十一');
      expect(() => dayForSpeech('2026-12-03')).to.throw(RangeError);
      expect(() => dayForSpeech('20261332')).to.throw(RangeError);
    });

    it('when comparing numbers, it ignores +86 and a trunk 0 but never matches an empty number', () => {
      expect(samePhone('+8613800138123', '13800138123')).to.equal(true);
      // Trunks put a 0 before a mobile number from another city.
      expect(samePhone('013800138123', '13800138123')).to.equal(true);
      expect(samePhone('01065551234', '1065551234')).to.equal(true);
      expect(samePhone('13800138124', '13800138123')).to.equal(false);
      expect(samePhone('', '')).to.equal(false);
      expect(samePhone('sipp', 'sipp')).to.equal(false);
    });
  });

  it('when a node names an unknown target, the loader refuses it naming the field', () => {
    const yaml = `
name: t
start: s
nodes:
  s: { type: order-status, next: a, notFound: a, notOwner: nowhere }
  a: { type: hangup }
`;
    expect(() => parseFlow(yaml, 'f.yaml', { hasPrompt })).to.throw(FlowError, /node "s": notOwner: unknown node "nowhere"/);
  });

  it('when the resident with two open orders presses 3 then 1, it offers them and reads the newest order in words', async () => {
    const orders = new FakeOrders([ORDER, OLDER]);
    const { r, channel } = await call(RESIDENT, orders, async (press, tick) => {
      await tick(2000); // welcome, menu
      press('3');
      await tick(3000);
      press('1');
      await tick(1500);
      press('0'); // after hearing it: to an agent
    });
    expect(r.spoken).to.deep.equal([
      '您有两张正在办理的工单。',
      '工单二零二六幺二零三,零零零幺二三,于二〇二六年十二月三日受理,承办单位朝阳区水务局,目前已签收,答复期限二〇二六年十二月十七日。',
    ]);
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'progress', 'progress-offer', 'progress-offer-menu', 'progress-read', 'progress-reply', 'progress-after', 'progress-agent']);
    expect(r).to.deep.include({ outcome: 'queue', queue: 'general', selfServed: false });
    expect(r.variables.orderCode, 'the order goes with the caller to the agent').to.equal('20261203-000123');
    // Fixed text and each value synthesised apart: the unit's name is a piece of its own (cached once for all its orders).
    expect(channel.started).to.include('tts:朝阳区水务局');
  });

  it('when the resident chooses 2 at the offer and keys the code of an order, it hears that order read', async () => {
    const orders = new FakeOrders([{ ...ORDER, step: 'replied' }]);
    const { r } = await call(RESIDENT, orders, async (press, tick) => {
      await tick(2000);
      press('3');
      await tick(3000);
      press('2');
      await tick(1500);
      for (const d of '20261203000123') press(d);
      await tick(2000);
    });
    expect(r.path.slice(0, 9)).to.deep.equal(['welcome', 'notices', 'main-menu', 'progress', 'progress-offer', 'progress-offer-menu', 'progress-code', 'progress-lookup', 'progress-read']);
    expect(r.spoken[0]).to.equal('您有一张正在办理的工单。');
    expect(r.spoken.at(-1)).to.match(/目前已答复/);
    expect(orders.asked).to.deep.equal([`phone:${RESIDENT}`, 'code:20261203000123']);
  });

  it('when the resident\'s order is replied, it reads the reply summarised after the state, and hanging up then is a completed self-service', async () => {
    const reply = '经核查,该路段路灯线路老化,我单位已于12月5日更换线路并恢复照明。后续将加强巡查。'.repeat(4);
    const orders = new FakeOrders([{ ...ORDER, step: 'replied', reply }]);
    const { r } = await call(RESIDENT, orders, async (press, tick) => {
      await tick(2000);
      press('3');
      await tick(3000);
      press('1');
    });
    const read = r.spoken.at(-1) ?? '';
    expect(read.startsWith('答复内容:经核查,该路段路灯线路老化')).to.equal(true);
    // Cut at a sentence end within the 120-character cap.
    expect(read.length - '答复内容:'.length).to.be.at.most(120);
    expect(read.endsWith('。')).to.equal(true);
    expect(r.path).to.include('progress-reply');
    expect(r).to.deep.include({ selfServed: true, flow: 'default' });
  });

  it('when the order has no reply yet, the reply node says nothing (no fallback prompt)', async () => {
    const { r, channel } = await call(RESIDENT, new FakeOrders([ORDER]), async (press, tick) => {
      await tick(2000);
      press('3');
      await tick(3000);
      press('1');
    });
    expect(r.path).to.include('progress-reply');
    expect(r.spoken.some((t) => t.startsWith('答复内容'))).to.equal(false);
    expect(channel.started).to.not.include('speech-unavailable');
  });

  it('when another number keys the code, it hears no details and is queued for an agent with the order attached', async () => {
    const orders = new FakeOrders([ORDER]);
    const { r, channel } = await call('13900139000', orders, async (press, tick) => {
      await tick(2000);
      press('3');
      await tick(1500);
      for (const d of '20261203000123') press(d);
      await tick(500);
    });
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'progress', 'progress-code', 'progress-lookup', 'progress-not-owner']);
    expect(r).to.deep.include({ outcome: 'queue', queue: 'general', announce: ['progress-not-owner', 'branch-agent'] });
    expect(r.variables.orderCode).to.equal('20261203-000123');
    expect(r.spoken).to.deep.equal([]);
    expect(channel.started.some((p) => p.startsWith('tts:'))).to.equal(false);
    expect(r.variables.orderUnit).to.equal(undefined);
  });

  it('when the code is no order, it says so and keeps nothing to attach', async () => {
    const { r } = await call('13900139000', new FakeOrders([ORDER]), async (press, tick) => {
      await tick(2000);
      press('3');
      await tick(1500);
      for (const d of '20990101000001') press(d);
      await tick(500);
      press('0');
    });
    expect(r.path).to.deep.equal(['welcome', 'notices', 'main-menu', 'progress', 'progress-code', 'progress-lookup', 'progress-not-found', 'agent']);
    expect(r.variables.orderCode).to.equal(undefined);
  });

  it('when the lookup fails, the caller is treated as having no order (not told a wrong state)', async () => {
    const { r } = await call(RESIDENT, new FakeOrders([ORDER], true), async (press, tick) => {
      await tick(2000);
      press('3');
      await tick(500);
    });
    expect(r.path.slice(0, 5)).to.deep.equal(['welcome', 'notices', 'main-menu', 'progress', 'progress-code']);
    expect(r.spoken).to.deep.equal([]);
  });
});
