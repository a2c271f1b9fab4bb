/**
 * One line that explains an anomaly score: the score, then the features that drove it, each with
 * its value and its rank among the training windows ("distinct users 14, above 99.8% of training
 * windows"), then what the model was trained on. Shared by the console, email, Slack and digests.
 */
import { featureLabel } from '../rules/anomaly-schema';
import type { AnomalyContext, AnomalyFeature } from '../types';
import { cleanLine } from './sanitize';

/** 0.998 → "99.8%"; never rounds up to 100% unless every window was below. */
export function formatShare(share: number): string {
  if (share >= 1) return '100%';
  const pct = Math.floor(share * 1000) / 10;
  return `${pct}%`;
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(3).replace(/\.?0+$/, '');
}

export function describeFeature(f: AnomalyFeature): string {
  const rank =
    f.below >= f.above
      ? `above ${formatShare(f.below)} of training windows`
      : `below ${formatShare(f.above)} of training windows`;
  return `${cleanLine(featureLabel(f.name), 64)} ${formatValue(f.value)}, ${rank}`;
}

export function describeAnomaly(a: AnomalyContext, maxDrivers = 3): string {
  const drivers = a.features.slice(0, Math.min(a.drivers, maxDrivers)).map(describeFeature);
  const day = (iso: string) => iso.slice(0, 10);
  const sampled = a.training.sampled ? ' (a sample)' : '';
  return (
    `score ${formatValue(a.score)}: ${drivers.join('; ')}` +
    ` (trained on ${a.training.windows} windows${sampled}, ${day(a.training.start)} – ${day(a.training.end)})`
  );
}
