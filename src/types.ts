/** Shapes that flow between pipeline stages: collect → evaluate → dedup → notify → record. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Schedule = 'business_hours' | 'off_hours';

export interface TimeWindow {
  /** ISO-8601 UTC instants */
  start: string;
  end: string;
}

export interface BaselineContext {
  /** expected value for this entity at this time (mean of the baseline samples) */
  expected: number;
  /** value / expected */
  ratio: number;
  /** (value - mean) / stddev, when the rule compares in sigmas */
  sigma?: number;
  samples: number;
}

/** One feature of an anomalous window: its value and where it sits among the training windows. */
export interface AnomalyFeature {
  name: string;
  value: number;
  /** share of training windows with a lower value, and with a higher one (0..1) */
  below: number;
  above: number;
  /** how much the score drops when this feature takes its training median instead */
  contribution: number;
}

/** Why an anomaly rule fired: the score, the features that drove it, and what it was trained on. */
export interface AnomalyContext {
  score: number;
  /** every feature, those that drove the score first */
  features: AnomalyFeature[];
  /** how many of `features` drove the score (contribution > 0), at least one */
  drivers: number;
  training: { start: string; end: string; windows: number; sampled: boolean };
}

/** One entity over its threshold (or off its baseline) for one rule in one window. */
export interface Finding {
  rule: string;
  title: string;
  description: string;
  remediation: string;
  severity: Severity;
  /** group_by field -> value; empty object for rules without group_by */
  entity: Record<string, string>;
  value: number;
  threshold: number;
  schedule: Schedule;
  window: TimeWindow;
  /**
   * Just after the latest event of the window (ISO): the end of its last second holding events, or
   * the latest event + 1 ms when the interval was one span. A recovered episode starts again only
   * for events at or after its recovery, whatever the window (src/evaluate/decide-alert.ts).
   */
  events_end?: string;
  baseline?: BaselineContext;
  /** anomaly rules: the score explained (value = score, threshold = score_threshold) */
  anomaly?: AnomalyContext;
  /** up to 5 sample events, only the fields that matter */
  samples: Record<string, unknown>[];
  /** index patterns the rule read (for Kibana links) */
  indices: string[];
  /** IANA zone of the calendar, to show the window in local time */
  timezone: string;
  /** named channels this rule routes to; empty means every channel */
  channels: string[];
}

/**
 * new, escalated: notified; suppressed: a repeat, not notified; recovered: the episode ended;
 * silenced: would be notified, but an operator's silence matches (recorded, not delivered);
 * acknowledged: an operator acknowledged the episode (a record of the ack, never delivered).
 */
export type AlertStatus = 'new' | 'suppressed' | 'escalated' | 'recovered' | 'silenced' | 'acknowledged';

/** Who acknowledged an episode, when and why (`vigil ack`). */
export interface Acknowledgement {
  by: string;
  comment: string;
  /** ISO instant */
  at: string;
  /** the episode acknowledged */
  episode_id: string;
}

/** A finding after dedup: it has a deterministic id and a lifecycle status. */
export interface Alert extends Finding {
  /** hash of rule, entity and window (see state/alert-id) */
  id: string;
  status: AlertStatus;
  /** recoveries: when the episode first fired (ISO, the end of its first firing window), if known */
  firing_since?: string;
  /** the silence that kept this alert from being delivered */
  silence_id?: string;
  /** status acknowledged: the acknowledgement */
  ack?: Acknowledgement;
}
