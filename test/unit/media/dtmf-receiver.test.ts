import { expect } from 'chai';
import sinon from 'sinon';
import { DtmfReceiver } from '../../../src/media/dtmf-receiver.js';

function ev(event: number, end: boolean, duration: number): Buffer {
  const b = Buffer.alloc(4);
  b[0] = event;
  b[1] = (end ? 0x80 : 0) | 10;
  b.writeUInt16BE(duration, 2);
  return b;
}

/** One key press as a sender does it: start, updates every 50 ms, three end packets (RFC 4733 §2.5.1.4). */
function press(rx: DtmfReceiver, event: number, ts: number, t0: number, options: { endPackets?: number } = {}): void {
  for (let d = 400; d <= 2000; d += 400) rx.receive(ts, ev(event, false, d), t0 + d / 8);
  for (let i = 0; i < (options.endPackets ?? 3); i++) rx.receive(ts, ev(event, true, 2240), t0 + 280 + i);
}

describe('DtmfReceiver (RFC 4733)', () => {
  afterEach(() => {
    sinon.restore();
  });

  it('when an event ends with three end packets, it reports the digit once', () => {
    const digits: string[] = [];
    const rx = new DtmfReceiver((d) => digits.push(d));
    press(rx, 5, 1000, 0);
    expect(digits).to.deep.equal(['5']);
  });

  it('when two presses have different timestamps, it reports two digits, even the same key twice', () => {
    const digits: string[] = [];
    const rx = new DtmfReceiver((d) => digits.push(d));
    press(rx, 1, 1000, 0);
    press(rx, 1, 5000, 500);
    press(rx, 11, 9000, 1000);
    expect(digits).to.deep.equal(['1', '1', '#']);
  });

  it('when every end packet is lost, it reports the digit as the next event starts', () => {
    const digits: string[] = [];
    const rx = new DtmfReceiver((d) => digits.push(d));
    press(rx, 10, 1000, 0, { endPackets: 0 });
    expect(digits).to.deep.equal([]);
    press(rx, 12, 5000, 500);
    expect(digits).to.deep.equal(['*', 'A']);
  });

  it('when every end packet is lost and no event follows, it reports the digit after the expiry time', () => {
    const digits: string[] = [];
    const rx = new DtmfReceiver((d) => digits.push(d), 1000);
    press(rx, 9, 1000, 0, { endPackets: 0 });
    rx.expire(900);
    expect(digits).to.deep.equal([]);
    rx.expire(1300);
    rx.expire(5000);
    expect(digits).to.deep.equal(['9']);
  });

  it('when an end packet of an earlier event arrives late, it does not report it again', () => {
    const digits: string[] = [];
    const rx = new DtmfReceiver((d) => digits.push(d));
    press(rx, 2, 1000, 0);
    press(rx, 3, 5000, 500, { endPackets: 1 });
    rx.receive(1000, ev(2, true, 2240), 900);
    rx.receive(5000, ev(3, true, 2240), 901);
    expect(digits).to.deep.equal(['2', '3']);
  });

  it('when the event is not a key (16 = flash) or the payload is short, it reports nothing', () => {
    const digits: string[] = [];
    const rx = new DtmfReceiver((d) => digits.push(d));
    press(rx, 16, 1000, 0);
    rx.receive(2000, Buffer.from([1, 0x80]), 10);
    expect(digits).to.deep.equal([]);
  });
});
