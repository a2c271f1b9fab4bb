/**
 * Pure: the operator's controls on top of the episode decision (episodes.ts).
 *
 *   silence  a finding that would be notified (new, escalated) while a silence matches it is
 *            recorded as `silenced` with the silence id and never put in the outbox; its memory
 *            is marked silenced, not notified. Later findings under a silence are suppressed
 *            repeats of that alert (with the silence id).
 *            Once no silence matches and the episode still fires, it is delivered once, as new
 *            (unless an operator acknowledged it meanwhile).
 *   ack      an acknowledged firing episode is not re-alerted after `realert`; an escalation is
 *            still notified (and ends the ack), and a recovery ends the episode and its ack.
 */
import type { Alert, Finding } from '../types';
import type { AlertMemory, DedupPolicy } from './decide-alert';
import { decideEpisode } from './episodes';
import type { Silence } from './match-silence';

export function decideControlledEpisode(
  finding: Finding,
  prev: AlertMemory | undefined,
  policy: DedupPolicy,
  silence: Pick<Silence, 'id'> | undefined,
): { alert: Alert; memory: AlertMemory } {
  const firing = prev?.status === 'firing' ? prev : undefined;
  const end = Date.parse(finding.window.end);
  if (firing?.silenced) {
    if (silence) {
      // a repeat of the silenced alert: like any repeat, not recorded again (it names its silence)
      const alert: Alert = {
        ...finding,
        id: firing.silenced.alert_id,
        status: 'suppressed',
        silence_id: silence.id,
      };
      const memory: AlertMemory = {
        ...firing,
        last_seen_end: Math.max(firing.last_seen_end, end),
        silenced: { silence_id: silence.id, alert_id: firing.silenced.alert_id },
      };
      return { alert, memory };
    }
    // an operator acknowledged it meanwhile: the ack holds, it is not delivered now either
    if (firing.acknowledged) {
      const { silenced: _, ...rest } = firing;
      const alert: Alert = { ...finding, id: firing.silenced.alert_id, status: 'suppressed' };
      return { alert, memory: { ...rest, last_seen_end: Math.max(firing.last_seen_end, end) } };
    }
    // the silence is over and the episode still fires: nothing of it was delivered, so it is new
    const fresh = decideEpisode(finding, undefined, policy);
    const since = firing.first_seen_end ?? fresh.memory.first_seen_end;
    return {
      alert: fresh.alert,
      memory: { ...fresh.memory, ...(since !== undefined ? { first_seen_end: since } : {}) },
    };
  }
  const decided = decideEpisode(
    finding,
    prev,
    firing?.acknowledged ? { ...policy, realertMs: Number.POSITIVE_INFINITY } : policy,
  );
  if (decided.alert.status === 'suppressed' || !silence) return decided;
  const alert: Alert = { ...decided.alert, status: 'silenced', silence_id: silence.id };
  const marker = { silence_id: silence.id, alert_id: alert.id };
  if (decided.alert.status === 'escalated' && firing) {
    // the episode continues; what was notified last stays its reference
    return {
      alert,
      memory: { ...firing, last_seen_end: Math.max(firing.last_seen_end, end), silenced: marker },
    };
  }
  const { pending: _, ...memory } = decided.memory;
  return { alert, memory: { ...memory, silenced: marker } };
}
