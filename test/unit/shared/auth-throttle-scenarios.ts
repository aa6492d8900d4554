import { expect } from 'chai';
import { AuthThrottle, type ThrottleRule, type ThrottleStore } from '../../../src/shared/auth-throttle.js';
import { FakeClock } from '../identity/in-memory-identity-repositories.js';

const MINUTE = 60_000;
const RULES: readonly ThrottleRule[] = [
  { scope: 'account-address', free: 5, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE },
  { scope: 'address', free: 20, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE },
  { scope: 'account', free: 10, windowMs: 15 * MINUTE, baseDelayMs: 1000, maxDelayMs: MINUTE },
];

/** The throttle scenarios of issue 9, items 6 and 7, against any store (memory here, the database in test/db). */
export function throttleScenarios(makeStore: () => ThrottleStore): void {
  const make = (clock: FakeClock, rules: readonly ThrottleRule[] = RULES, store = makeStore()) => ({
    store,
    throttle: new AuthThrottle(store, clock, { kind: 'http', rules, trustMs: 30 * 24 * 60 * MINUTE }),
  });

  it('when 200 wrong guesses arrive at once, only the 5 free ones get a password check', async () => {
    const { throttle } = make(new FakeClock());
    const attempts = await Promise.all(Array.from({ length: 200 }, () => throttle.admit('wang', '10.0.0.9')));
    expect(attempts.filter((a) => a.waitMs === 0)).to.have.length(5);
  });

  it('when a block outlasts its counting window, the scope stays blocked until the block ends', async () => {
    const clock = new FakeClock();
    const { throttle } = make(clock, [{ scope: 'account', free: 1, windowMs: 1000, baseDelayMs: 5000, maxDelayMs: 5000 }]);
    expect((await throttle.admit('wang', '10.0.0.9')).waitMs).to.equal(0);
    clock.advance(2000);
    expect((await throttle.admit('wang', '10.0.0.9')).waitMs, 'the window is over, the block is not').to.equal(3000);
    clock.advance(3000);
    expect((await throttle.admit('wang', '10.0.0.9')).waitMs).to.equal(0);
  });

  it('when one address tries many names, a throttled address creates no rows for further names', async () => {
    const { throttle, store } = make(new FakeClock());
    for (let i = 0; i < 100; i++) await throttle.recordFailure(await throttle.admit(`name${i}`, '10.6.6.6'));
    const keys = Array.from({ length: 100 }, (_, i) => [`http:u:name${i}`, `http:ua:name${i}|10.6.6.6`]).flat();
    // The address rule's 20 free attempts: 2 rows each, nothing for the other 80 names.
    expect((await store.read(keys)).size).to.equal(40);
  });

  it('when failure rows are older than window + longest delay they are forgotten, trusted addresses only after 30 days', async () => {
    const clock = new FakeClock();
    const { throttle, store } = make(clock);
    await throttle.recordSuccess(await throttle.admit('wang', '10.0.0.9'));
    await throttle.recordFailure(await throttle.admit('li', '10.0.0.7'));
    clock.advance(30 * MINUTE + 1);
    await throttle.recordFailure(await throttle.admit('zhao', '10.0.0.5'));
    const left = await store.read(['http:t:wang|10.0.0.9', 'http:u:li', 'http:ua:li|10.0.0.7', 'http:a:10.0.0.7']);
    expect([...left.keys()]).to.deep.equal(['http:t:wang|10.0.0.9']);
    clock.advance(30 * 24 * 60 * MINUTE);
    await throttle.recordFailure(await throttle.admit('zhao', '10.0.0.5'));
    expect((await store.read(['http:t:wang|10.0.0.9'])).size).to.equal(0);
  });

  it('when the right password follows failures, its attempt is given back and the pair forgotten', async () => {
    const { throttle } = make(new FakeClock());
    for (let i = 0; i < 4; i++) await throttle.recordFailure(await throttle.admit('wang', '10.0.0.9'));
    await throttle.recordSuccess(await throttle.admit('wang', '10.0.0.9'));
    for (let i = 0; i < 5; i++) expect((await throttle.admit('wang', '10.0.0.9')).waitMs).to.equal(0);
  });
}
