/**
 * Silences and acknowledgements in dedup, pure: a silenced finding is recorded with its silence
 * id and never pending (not delivered); its memory is not marked notified, so once no silence
 * matches and the episode still fires it is delivered once, as new; an acknowledged episode is
 * not re-alerted after realert, but an escalation is sent; a recovery under a silence is not.
 */
import { dedupFindings } from '../../../src/app/dedup-stage';
import { configSchema } from '../../../src/config/schema';
import { decideControlledEpisode } from '../../../src/evaluate/controlled-episode';
import type { AlertMemory } from '../../../src/evaluate/decide-alert';
import { confirmEpisode } from '../../../src/evaluate/episodes';
import type { Silence } from '../../../src/evaluate/match-silence';
import type { Rule } from '../../../src/rules/rule-schema';
import { acknowledgeMemory } from '../../../src/state/acks';
import { alertStateDocId } from '../../../src/state/alert-id';
import type { Finding } from '../../../src/types';

const MIN = 60_000;
const T0 = Date.parse('2026-11-18T03:10:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const policy = { realertMs: 60 * MIN, escalateFactor: 2 };
const ENTITY = { 'source.ip': '203.0.113.7' };
const finding = (value: number, endMs: number): Finding => ({
  rule: 'ssh_bruteforce',
  title: 'SSH brute force',
  description: '',
  remediation: '',
  severity: 'high',
  entity: ENTITY,
  value,
  threshold: 8,
  schedule: 'off_hours',
  window: { start: iso(endMs - 2 * MIN), end: iso(endMs) },
  samples: [],
  indices: ['auth-*'],
  timezone: 'UTC',
  channels: [],
});
const S = { id: 'sil1' };
/** the memory once the cycle confirmed its pending alert in the outbox */
const settle = (m: AlertMemory) => confirmEpisode(m);

describe('a silence', () => {
  test('records a new episode as silenced, never pending; repeats are suppressed with its id; after it, delivered once as new', () => {
    const first = decideControlledEpisode(finding(20, T0), undefined, policy, S);
    expect(first.alert).toMatchObject({ status: 'silenced', silence_id: 'sil1' });
    expect(first.memory.pending).toBeUndefined();
    expect(first.memory.silenced).toEqual({ silence_id: 'sil1', alert_id: first.alert.id });

    // later cycles under the silence: repeats of the silenced alert (one document in the alerts index)
    const again = decideControlledEpisode(finding(25, T0 + MIN), first.memory, policy, S);
    expect(again.alert).toMatchObject({ status: 'suppressed', id: first.alert.id, silence_id: 'sil1' });
    expect(again.memory.pending).toBeUndefined();
    // even past realert, nothing is delivered while the silence lasts
    const late = decideControlledEpisode(finding(25, T0 + 90 * MIN), again.memory, policy, S);
    expect(late.alert).toMatchObject({ status: 'suppressed', silence_id: 'sil1' });
    expect(late.memory.pending).toBeUndefined();

    // the silence is over, the episode still fires: delivered once, as new, firing since the start
    const after = decideControlledEpisode(finding(25, T0 + 91 * MIN), late.memory, policy, undefined);
    expect(after.alert.status).toBe('new');
    expect(after.alert.silence_id).toBeUndefined();
    expect(after.memory.pending?.id).toBe(after.alert.id);
    expect(after.memory.silenced).toBeUndefined();
    expect(after.memory.first_seen_end).toBe(T0);
    // and only once: the next cycle is a suppressed repeat
    const next = decideControlledEpisode(finding(25, T0 + 92 * MIN), settle(after.memory), policy, undefined);
    expect(next.alert.status).toBe('suppressed');
  });

  test('a repeat that would be suppressed anyway stays suppressed (not re-recorded as silenced)', () => {
    const sent = decideControlledEpisode(finding(20, T0), undefined, policy, undefined);
    const repeat = decideControlledEpisode(finding(21, T0 + MIN), settle(sent.memory), policy, S);
    expect(repeat.alert.status).toBe('suppressed');
  });

  test('an escalation under a silence is silenced; the episode keeps its notified reference', () => {
    const sent = decideControlledEpisode(finding(10, T0), undefined, policy, undefined);
    const esc = decideControlledEpisode(finding(40, T0 + MIN), settle(sent.memory), policy, S);
    expect(esc.alert).toMatchObject({ status: 'silenced', silence_id: 'sil1' });
    expect(esc.memory).toMatchObject({ last_value: 10, last_notified_end: T0, episode_id: sent.alert.id });
    expect(esc.memory.pending).toBeUndefined();
  });
});

describe('an acknowledgement', () => {
  const ack = { by: 'bob', comment: 'blocked', at: iso(T0 + MIN) };

  test('stops the realert; an escalation is still sent and ends the ack', () => {
    const sent = decideControlledEpisode(finding(10, T0), undefined, policy, undefined);
    const acked = acknowledgeMemory(
      settle(sent.memory),
      { id: sent.alert.id, window: sent.alert.window },
      ack,
    );
    expect(acked.ack?.episode_id).toBe(sent.alert.id);
    const memory = acked.memory as AlertMemory;
    // without the ack this finding is new (realert passed)
    expect(
      decideControlledEpisode(finding(12, T0 + 61 * MIN), settle(sent.memory), policy, undefined).alert
        .status,
    ).toBe('new');
    const past = decideControlledEpisode(finding(12, T0 + 61 * MIN), memory, policy, undefined);
    expect(past.alert.status).toBe('suppressed');
    expect(past.memory.acknowledged).toEqual(acked.ack);
    const esc = decideControlledEpisode(finding(20, T0 + 62 * MIN), past.memory, policy, undefined);
    expect(esc.alert.status).toBe('escalated');
    expect(esc.memory.acknowledged).toBeUndefined();
  });

  test('given to a silenced episode, it holds when the silence ends: not delivered then', () => {
    const silenced = decideControlledEpisode(finding(10, T0), undefined, policy, S);
    const acked = acknowledgeMemory(silenced.memory, silenced.alert, ack).memory as AlertMemory;
    const after = decideControlledEpisode(finding(12, T0 + 5 * MIN), acked, policy, undefined);
    expect(after.alert.status).toBe('suppressed');
    expect(after.memory.silenced).toBeUndefined();
    expect(after.memory.acknowledged).toBeDefined();
    expect(after.memory.pending).toBeUndefined();
    // an escalation still gets through
    const esc = decideControlledEpisode(finding(30, T0 + 6 * MIN), after.memory, policy, undefined);
    expect(esc.alert.status).toBe('escalated');
  });

  test('cannot be given to a recovered episode or to an alert of an earlier episode', () => {
    const sent = decideControlledEpisode(finding(10, T0), undefined, policy, undefined);
    const m = settle(sent.memory);
    expect(acknowledgeMemory(undefined, sent.alert, ack).problem).toMatch(/no memory of its episode/);
    expect(acknowledgeMemory({ ...m, status: 'recovered' }, sent.alert, ack).problem).toMatch(
      /has recovered/,
    );
    const older = { id: 'old', window: { start: iso(T0 - 90 * MIN), end: iso(T0 - 88 * MIN) } };
    expect(acknowledgeMemory(m, older, ack).problem).toMatch(/its episode is over/);
  });
});

describe('dedup stage: recoveries', () => {
  const rule = {
    id: 'ssh_bruteforce',
    realert: 60 * MIN,
    escalate_factor: 2,
    recovery: true,
    title: 'SSH brute force',
    description: '',
    severity: 'high',
    indices: [],
    channels: [],
    thresholds: { business_hours: 8, off_hours: 8 },
  } as unknown as Rule;
  const config = configSchema.parse({ elasticsearch: { nodes: ['http://127.0.0.1:9200'] } });
  const docId = alertStateDocId('ssh_bruteforce', ENTITY);
  const run = (memory: AlertMemory, silences: Silence[]) =>
    dedupFindings({
      findings: [],
      peaks: new Map(),
      okRules: new Set(['ssh_bruteforce']),
      intervals: new Map([['ssh_bruteforce', { startMs: T0 + 5 * MIN, endMs: T0 + 10 * MIN }]]),
      rules: new Map([['ssh_bruteforce', rule]]),
      memories: new Map([
        [docId, { docId, rule: 'ssh_bruteforce', memory, version: { seqNo: 1, primaryTerm: 1 } }],
      ]),
      config,
      silences: { list: silences, nowMs: T0 + 10 * MIN },
    });
  const silence: Silence = {
    id: 'sil2',
    matchers: { rule: 'ssh_*', entity: [] },
    created_by: 'alice',
    comment: 'x',
    created_at: iso(T0),
    starts_at: iso(T0),
    ends_at: iso(T0 + 60 * MIN),
  };

  test('a delivered episode recovering with no silence sends its recovery notice', () => {
    const sent = settle(decideControlledEpisode(finding(10, T0), undefined, policy, undefined).memory);
    const r = run(sent, []);
    expect(r.alerts.map((a) => a.status)).toEqual(['recovered']);
    expect(r.changes[0].memory.pending?.status).toBe('recovered');
  });

  test('under a silence (or for a silenced episode) the recovery is recorded with the silence id, not sent', () => {
    const sent = settle(decideControlledEpisode(finding(10, T0), undefined, policy, undefined).memory);
    const underSilence = run(sent, [silence]);
    expect(underSilence.alerts[0]).toMatchObject({ status: 'recovered', silence_id: 'sil2' });
    expect(underSilence.changes[0].memory).toMatchObject({ status: 'recovered' });
    expect(underSilence.changes[0].memory.pending).toBeUndefined();

    const silenced = decideControlledEpisode(finding(10, T0), undefined, policy, { id: 'sil0' }).memory;
    const ended = run(silenced, []);
    expect(ended.alerts[0]).toMatchObject({ status: 'recovered', silence_id: 'sil0' });
    expect(ended.changes[0].memory.pending).toBeUndefined();
  });
});
