/**
 * The interval each rule evaluates: the scan interval without a checkpoint; from one rule window
 * before the checkpoint when resuming; a gap longer than max_catch_up is cut to max_catch_up with
 * one warning per cycle; a checkpoint at or after the cycle end leaves the rule out.
 */
import { planIntervals } from '../../../src/app/plan-intervals';

const MIN = 60_000;
const H = 60 * MIN;
const END = Date.parse('2026-11-18T12:00:00Z');
const base = { startMs: END - 10 * MIN, endMs: END };
const ssh = { id: 'ssh_bruteforce', window: 2 * MIN };
const rate = { id: 'login_failure_rate', window: 15 * MIN };
const DAY = 24 * H;

test('without checkpoints (or without --resume) every rule evaluates the scan interval', () => {
  for (const cps of [undefined, new Map<string, number>()]) {
    const plan = planIntervals([ssh, rate], base, cps, DAY);
    expect(plan.intervals.get('ssh_bruteforce')).toEqual(base);
    expect(plan.intervals.get('login_failure_rate')).toEqual(base);
    expect(plan.warnings).toEqual([]);
  }
});

test('a resumed rule evaluates from one window before its checkpoint to the cycle end', () => {
  const cps = new Map([
    ['ssh_bruteforce', END - 3 * H],
    ['login_failure_rate', END - 5 * MIN],
  ]);
  const plan = planIntervals([ssh, rate], base, cps, DAY);
  expect(plan.intervals.get('ssh_bruteforce')).toEqual({ startMs: END - 3 * H - 2 * MIN, endMs: END });
  expect(plan.intervals.get('login_failure_rate')).toEqual({ startMs: END - 5 * MIN - 15 * MIN, endMs: END });
  expect(plan.warnings).toEqual([]);
});

test('a rule without a checkpoint next to resumed ones uses the scan interval', () => {
  const plan = planIntervals([ssh, rate], base, new Map([['ssh_bruteforce', END - H]]), DAY);
  expect(plan.intervals.get('login_failure_rate')).toEqual(base);
});

test('a gap of exactly max_catch_up is caught up whole, without a warning', () => {
  const plan = planIntervals([ssh], base, new Map([['ssh_bruteforce', END - DAY]]), DAY);
  expect(plan.intervals.get('ssh_bruteforce')).toEqual({ startMs: END - DAY - 2 * MIN, endMs: END });
  expect(plan.warnings).toEqual([]);
});

test('a gap longer than max_catch_up is bounded, with one warning for the cycle naming every rule', () => {
  const cps = new Map([
    ['ssh_bruteforce', END - 3 * DAY],
    ['login_failure_rate', END - 2 * DAY],
  ]);
  const plan = planIntervals([ssh, rate], base, cps, DAY);
  expect(plan.intervals.get('ssh_bruteforce')).toEqual({ startMs: END - DAY - 2 * MIN, endMs: END });
  expect(plan.intervals.get('login_failure_rate')).toEqual({ startMs: END - DAY - 15 * MIN, endMs: END });
  expect(plan.warnings).toHaveLength(1);
  expect(plan.warnings[0]).toContain('ssh_bruteforce');
  expect(plan.warnings[0]).toContain('login_failure_rate');
  expect(plan.warnings[0]).toContain('max_catch_up');
  // the oldest checkpoint, so the user knows how much was not caught up
  expect(plan.warnings[0]).toContain(new Date(END - 3 * DAY).toISOString());
});

test.each([
  { name: 'at the cycle end', cp: END },
  { name: 'after the cycle end (a replay of older times)', cp: END + H },
])('a checkpoint $name leaves the rule out: nothing new to evaluate', ({ cp }) => {
  const plan = planIntervals([ssh, rate], base, new Map([['ssh_bruteforce', cp]]), DAY);
  expect(plan.intervals.has('ssh_bruteforce')).toBe(false);
  expect(plan.intervals.get('login_failure_rate')).toEqual(base);
  expect(plan.warnings).toEqual([]);
});
