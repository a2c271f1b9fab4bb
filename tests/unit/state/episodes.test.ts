/**
 * Episode identity (issue 13, defect 4): one attack keeps one id from its first firing until it
 * recovers, whatever interval a later cycle, a retry or another instance evaluates; an alert is
 * recorded as pending before it is sent; where a checkpoint may move (defect 1).
 */
import { nextCheckpoint } from '../../../src/app/plan-intervals';
import { confirmEpisode, decideEpisode, recoverEpisode, recoveryIdFor } from '../../../src/evaluate/episodes';
import type { Finding } from '../../../src/types';

const MIN = 60_000;
const T0 = Date.parse('2026-11-18T03:10:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const policy = { realertMs: 60 * MIN, escalateFactor: 2 };

const finding = (value: number, startMs: number, endMs: number): Finding => ({
  rule: 'ssh_bruteforce',
  title: 'SSH brute force',
  description: '',
  remediation: '',
  severity: 'high',
  entity: { 'source.ip': '203.0.113.7' },
  value,
  threshold: 8,
  schedule: 'off_hours',
  window: { start: iso(startMs), end: iso(endMs) },
  samples: [],
  indices: ['auth-*'],
  timezone: 'UTC',
  channels: ['email'],
});

describe('decideEpisode', () => {
  it('starts an episode: its id is the first alert id, recorded as pending with when it began', () => {
    const { alert, memory } = decideEpisode(finding(20, T0 - 2 * MIN, T0), undefined, policy);
    expect(alert.status).toBe('new');
    expect(memory).toMatchObject({ episode_id: alert.id, first_seen_end: T0, status: 'firing' });
    expect(memory.pending?.id).toBe(alert.id);
  });

  it('a retry over another interval (clipped window) reports the same episode id, and sends nothing', () => {
    const first = decideEpisode(finding(20, T0 - 2 * MIN, T0), undefined, policy);
    const retry = decideEpisode(finding(20, T0 - 90_000, T0 + 30_000), first.memory, policy);
    expect(retry.alert).toMatchObject({ status: 'suppressed', id: first.alert.id });
    // what the first cycle recorded but never confirmed stays pending: the next cycle resends it
    expect(retry.memory.pending?.id).toBe(first.alert.id);
    expect(confirmEpisode(retry.memory).pending).toBeUndefined();
  });

  it('an escalation keeps the episode and gets an id of its own', () => {
    const first = decideEpisode(finding(10, T0 - 2 * MIN, T0), undefined, policy);
    const esc = decideEpisode(finding(30, T0 + 3 * MIN, T0 + 5 * MIN), confirmEpisode(first.memory), policy);
    expect(esc.alert.status).toBe('escalated');
    expect(esc.alert.id).not.toBe(first.alert.id);
    expect(esc.memory).toMatchObject({ episode_id: first.alert.id, first_seen_end: T0 });
  });

  it('a recovery notice id derives from the episode alone; after it a new episode starts', () => {
    const first = confirmEpisode(decideEpisode(finding(10, T0 - 2 * MIN, T0), undefined, policy).memory);
    const recovered = recoverEpisode(first, undefined, T0 + 10 * MIN);
    expect(recoveryIdFor(first)).toBe(recoveryIdFor({ ...first, last_seen_end: T0 + 99 * MIN }));
    const again = decideEpisode(finding(10, T0 + 20 * MIN, T0 + 22 * MIN), recovered, policy);
    expect(again.alert.status).toBe('new');
    expect(again.memory.episode_id).toBe(again.alert.id);
    expect(again.memory.episode_id).not.toBe(first.episode_id);
  });
});

describe('nextCheckpoint', () => {
  const CP = T0;
  it.each([
    ['no checkpoint yet: the end', T0 - 10 * MIN, T0, undefined, T0],
    ['a resumed interval from the checkpoint', CP - 2 * MIN, CP + 10 * MIN, CP, CP + 10 * MIN],
    ['a plain scan that starts before the checkpoint', CP - 5 * MIN, CP + 5 * MIN, CP, CP + 5 * MIN],
    ['a plain scan after a gap: stays', CP + 110 * MIN, CP + 120 * MIN, CP, undefined],
    ['a replay of older times: stays', CP - 60 * MIN, CP - 50 * MIN, CP, undefined],
  ])('%s', (_what, from, end, cp, expected) => {
    expect(nextCheckpoint(from, end, cp)).toBe(expected);
  });
});
