/**
 * Baseline evaluation benchmark (not a test; no Elasticsearch): the shipped data_transfer_spike
 * rule (sum of bytes per host, hour_of_week baseline over 30 days) evaluated for 1,000 hosts, each
 * with 720 hours of baseline, in one live cycle (a 5-minute interval, one span per host) in
 * Europe/Berlin, and in a two-hour catch-up (up to 24 spans per host). Times evaluateRule with
 * the precomputed lookup against the straightforward computation it replaced
 * (tests/helpers/baseline-reference.ts) in the same run (the live cycle; the old catch-up would take
 * minutes), checks they decide the same, and prints the times and their ratio. Target: < 100 ms.
 * The new path is timed warm (a monitor evaluates every cycle), median of 5, the lookup built in
 * each run; the old one once.
 *
 * Run from the repo root (part of `npm run bench`; BENCH_ONLY=baseline runs it alone). BASELINE_ENTITIES
 * (default 1000) changes the number of hosts; BENCH_JSON=<file> appends the figures as one JSON line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { validateConfig } from '../src/config/load-config';
import { type BaselineModel, type EntityBaseline, HOUR_MS } from '../src/evaluate/baseline-model';
import { evaluateRule, evaluateRuleWith } from '../src/evaluate/evaluate-rule';
import type { EntitySeries } from '../src/evaluate/series';
import { loadRules } from '../src/rules/load-rules';
import type { Rule } from '../src/rules/rule-schema';
import { naiveLookup } from '../tests/helpers/baseline-reference';
import { prng } from '../tests/helpers/prng';

const ENTITIES = Number(process.env.BASELINE_ENTITIES ?? 1000);
const TARGET_MS = 100;
/** live on a Wednesday morning; the baseline is complete up to the hour the interval is in */
const LIVE = { startMs: Date.parse('2026-11-18T07:00:00Z'), endMs: Date.parse('2026-11-18T07:05:00Z') };
const CATCH_UP = { startMs: Date.parse('2026-11-18T07:00:00Z'), endMs: Date.parse('2026-11-18T09:00:00Z') };
const MB = 1_000_000;

function shippedRule(): { rule: Rule; calendar: ReturnType<typeof validateConfig>['config']['calendar'] } {
  const repo = process.cwd();
  const raw = {
    elasticsearch: { nodes: ['http://localhost:9200'] },
    calendar: { timezone: 'Europe/Berlin' },
    sources: { auth: { indices: ['a'] }, web: { indices: ['w'] }, windows: { indices: ['a'] } },
  };
  const { config } = validateConfig(raw, 'bench config', {}, { baseDir: repo, sha256: '' });
  const rule = loadRules(path.join(repo, 'queries'), config).all.find((r) => r.id === 'data_transfer_spike');
  if (!rule?.baseline) throw new Error('queries/data_transfer_spike.yaml with a baseline not found');
  return { rule, calendar: config.calendar };
}

type Interval = typeof LIVE;

/** 720 hours of bytes per host (one hour in ten quiet), complete up to the hour `interval` starts in. */
function baselineModel(rule: Rule, timezone: string): BaselineModel {
  const spec = rule.baseline as NonNullable<Rule['baseline']>;
  const rnd = prng(1000);
  const completeUntil = Math.floor(LIVE.startMs / HOUR_MS) * HOUR_MS;
  const entities = new Map<string, EntityBaseline>();
  for (let i = 0; i < ENTITIES; i++) {
    const scale = (1 + rnd() * 50) * MB;
    const hours = new Map<number, number>();
    for (let h = completeUntil - spec.period; h < completeUntil; h += HOUR_MS)
      if (rnd() > 0.1) hours.set(h, Math.round(scale * (0.5 + rnd())));
    entities.set(JSON.stringify([`web-${i}`]), { hours, firstSeen: completeUntil - spec.period });
  }
  return { spec, timezone, completeUntil, entities };
}

/**
 * The hosts' bytes in the interval as a cycle collects them: one bucket when the interval is one
 * span, else 1-second buckets (here one every 10 seconds: a request every 10 s per host).
 */
function seriesInput(rule: Rule, interval: Interval) {
  const rnd = prng(2000);
  const length = interval.endMs - interval.startMs;
  const bucketMs = length <= rule.window ? length : 10_000;
  const series: EntitySeries[] = [];
  for (let i = 0; i < ENTITIES; i++) {
    const buckets = new Map();
    // one host in 50 sends 20 MB a minute, the rest far less
    const perMinute = i % 50 === 0 ? 20 * MB : rnd() * 0.5 * MB;
    for (let b = interval.startMs; b < interval.endMs; b += bucketMs)
      buckets.set(b, { count: 1, sum: Math.round((perMinute * bucketMs) / 60_000), num: 0, den: 0 });
    series.push({ key: [`web-${i}`], buckets });
  }
  return { series };
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

/** The median of five runs of `fn`. */
function median<T>(fn: () => T): { value: T; ms: number } {
  const runs = Array.from({ length: 5 }, () => timed(fn)).sort((a, b) => a.ms - b.ms);
  return runs[2];
}

function main(): void {
  const { rule, calendar } = shippedRule();
  const model = baselineModel(rule, calendar.timezone);
  console.log(
    `${ENTITIES} hosts × ${model.spec.period / HOUR_MS} baseline hours (${rule.id}: ${model.spec.by}, ${calendar.timezone}); node ${process.version}`,
  );
  const live = seriesInput(rule, LIVE);
  const catchUp = seriesInput(rule, CATCH_UP);
  // warm up both paths (JIT, luxon's zone cache): the new one on everything, the old one on a few hosts
  evaluateRule(rule, live, LIVE, calendar, model);
  evaluateRule(rule, catchUp, CATCH_UP, calendar, model);
  evaluateRuleWith(rule, { ...live, series: live.series.slice(0, 5) }, LIVE, calendar, naiveLookup(model));
  const fast = median(() => evaluateRule(rule, live, LIVE, calendar, model));
  const fastCatchUp = median(() => evaluateRule(rule, catchUp, CATCH_UP, calendar, model));
  const slow = timed(() => evaluateRuleWith(rule, live, LIVE, calendar, naiveLookup(model)));
  const same = JSON.stringify(fast.value) === JSON.stringify(slow.value);
  const figures = {
    bench: 'baseline',
    entities: ENTITIES,
    hours: model.spec.period / HOUR_MS,
    new_ms: Math.round(fast.ms * 10) / 10,
    catch_up_ms: Math.round(fastCatchUp.ms * 10) / 10,
    old_ms: Math.round(slow.ms),
    ratio: Math.round(slow.ms / fast.ms),
    findings: fast.value.findings.length,
    same,
    target_ms: TARGET_MS,
    meets: same && fast.ms < TARGET_MS && fastCatchUp.ms < TARGET_MS,
  };
  console.log(
    `  live cycle (5 min, 1 span per host): ${figures.new_ms} ms (median of 5), ${figures.findings} findings; before: ${figures.old_ms} ms`,
  );
  console.log(
    `  catch-up (2 h, ${catchUp.series[0]?.buckets.size ?? 0} one-second buckets per host, exact spans): ${figures.catch_up_ms} ms (median of 5)`,
  );
  console.log(
    `baseline evaluation of ${ENTITIES} entities: ${figures.new_ms} ms vs ${figures.old_ms} ms before, ${figures.ratio}× faster (catch-up ${figures.catch_up_ms} ms); same findings and peaks: ${same ? 'yes' : 'NO'} (${figures.meets ? 'meets' : 'MISSES'} the ${TARGET_MS} ms target)`,
  );
  if (process.env.BENCH_JSON) fs.appendFileSync(process.env.BENCH_JSON, `${JSON.stringify(figures)}\n`);
  if (!same) process.exitCode = 1;
}

main();
