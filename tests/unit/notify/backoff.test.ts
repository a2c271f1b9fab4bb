import { backoffCeiling, isExpired, nextAttemptAt } from '../../../src/notify/backoff';

const settings = { base_delay: 30_000, max_delay: 30 * 60_000 };
const now = new Date('2024-03-10T07:00:00.000Z');

describe('nextAttemptAt (exponential backoff, full jitter)', () => {
  it.each([
    // attempts, rand, expected delay
    [1, 1, 30_000],
    [2, 1, 60_000],
    [3, 1, 120_000],
    [6, 1, 960_000],
    [7, 1, 1_800_000], // 1 920 000 capped at max_delay
    [50, 1, 1_800_000],
    [3, 0.5, 60_000],
    [3, 0, 0],
  ])('after %i failed attempt(s) with rand=%d waits %i ms', (attempts, r, delay) => {
    expect(nextAttemptAt(attempts, now, () => r, settings).getTime() - now.getTime()).toBe(delay);
  });

  it('never waits longer than max_delay, even with a random source out of range', () => {
    expect(nextAttemptAt(10, now, () => 7, settings).getTime() - now.getTime()).toBe(settings.max_delay);
    expect(nextAttemptAt(10, now, () => -1, settings).getTime()).toBe(now.getTime());
    expect(backoffCeiling(0, settings)).toBe(30_000);
  });
});

describe('isExpired', () => {
  const maxAge = 48 * 3_600_000;
  it.each([
    ['2024-03-08T07:00:00.000Z', false], // exactly 48h old
    ['2024-03-08T06:59:59.999Z', true],
    ['2024-03-10T06:00:00.000Z', false],
  ])('created %s is expired: %s', (created, expired) => {
    expect(isExpired(new Date(created), now, maxAge)).toBe(expired);
  });
});
