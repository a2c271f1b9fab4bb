/**
 * The anomaly rules' models before a cycle scores: read from the state index, retrained when stale
 * (no model, the rule changed, or the training period ended more than `refresh` before the
 * interval). Training collects the vectors from Elasticsearch and fits the forest in a worker
 * thread; both are timed and audited. A monitor that holds a usable older model retrains in the
 * background and scores with the old one meanwhile, so a cycle never waits for a refresh.
 */
import type { Client } from '@elastic/elasticsearch';
import type { AuditLog } from '../audit/audit-log';
import { collectTrainingVectors } from '../collect/collect-anomaly-features';
import { QueryError, VigilError } from '../errors';
import {
  type AnomalyModel,
  anomalySpecHash,
  staleReason,
  trainingEnd,
  trainingSeed,
} from '../evaluate/anomaly-model';
import { type AnomalyRule, isAnomalyRule } from '../query/build-anomaly-query';
import type { Interval } from '../query/types';
import type { Rule } from '../rules/rule-schema';
import { readModels, type StoredModel, writeModel } from '../state/model-store';
import { fitInWorker } from './fit-in-worker';

export interface AnomalyStageInput {
  client: Client;
  stateIndex: string;
  rules: Rule[];
  intervalOf: (rule: Rule) => Interval;
  audit: AuditLog;
  /** train in memory, write nothing */
  dryRun: boolean;
  stateExists: boolean;
  /** monitor: trainings under way, across cycles; with it a stale model still scores while it retrains */
  background?: Map<string, Promise<void>>;
}

export interface AnomalyStage {
  models: Map<string, AnomalyModel>;
  failures: Map<string, VigilError>;
  warnings: string[];
  /** rules trained in this cycle (not in the background) */
  trained: string[];
}

export async function prepareAnomalyModels(input: AnomalyStageInput): Promise<AnomalyStage> {
  const out: AnomalyStage = { models: new Map(), failures: new Map(), warnings: [], trained: [] };
  const rules = input.rules.filter(isAnomalyRule);
  if (rules.length === 0) return out;
  let stored = new Map<string, StoredModel>();
  if (input.stateExists) {
    try {
      stored = await readModels(
        input.client,
        input.stateIndex,
        rules.map((r) => r.id),
      );
    } catch (e) {
      for (const r of rules) out.failures.set(r.id, asFailure(e, r.id));
      return out;
    }
  }
  for (const rule of rules) {
    const spanEnd = trainingEnd(rule, input.intervalOf(rule).startMs);
    const read = stored.get(rule.id);
    const reason = staleReason(read?.model, rule, spanEnd);
    if (!reason) {
      out.models.set(rule.id, read?.model as AnomalyModel);
      continue;
    }
    const usable =
      read?.model.forest && read.model.specHash === anomalySpecHash(rule) ? read.model : undefined;
    if (usable && input.background && !input.dryRun) {
      out.models.set(rule.id, usable);
      if (!input.background.has(rule.id)) {
        input.audit.record('anomaly_training_started', { rule: rule.id, reason, background: true });
        const run = train(input, rule, spanEnd, read, reason)
          .catch((e) =>
            input.audit.record(
              'anomaly_training_failed',
              { rule: rule.id, error: asFailure(e, rule.id).message },
              'warn',
            ),
          )
          .finally(() => input.background?.delete(rule.id));
        input.background.set(
          rule.id,
          run.then(() => undefined),
        );
      }
      continue;
    }
    try {
      const model = await train(input, rule, spanEnd, read, reason);
      out.models.set(rule.id, model);
      out.trained.push(rule.id);
    } catch (e) {
      out.failures.set(rule.id, asFailure(e, rule.id));
    }
  }
  // said when the model is trained (first and at each refresh), not on every cycle in between
  for (const rule of rules.filter((r) => out.trained.includes(r.id))) {
    const m = out.models.get(rule.id);
    if (m?.insufficient)
      out.warnings.push(
        `rule ${rule.id} not scored: ${m.windows} training windows in ${new Date(m.span.startMs).toISOString()} – ${new Date(m.span.endMs).toISOString()}, fewer than training.min_samples ${rule.anomaly.training.min_samples}; it trains again after training.refresh`,
      );
  }
  return out;
}

async function train(
  input: AnomalyStageInput,
  rule: AnomalyRule,
  spanEnd: number,
  read: StoredModel | undefined,
  reason: string,
): Promise<AnomalyModel> {
  const span = { startMs: spanEnd - rule.anomaly.training.period, endMs: spanEnd };
  const seed = trainingSeed(rule.id, spanEnd);
  const t0 = performance.now();
  const collected = await collectTrainingVectors(input.client, rule, span, seed);
  if (collected.error) throw collected.error;
  const collectMs = performance.now() - t0;
  const enough = collected.vectors.length >= rule.anomaly.training.min_samples;
  const t1 = performance.now();
  const fitted = enough
    ? await fitInWorker({
        vectors: collected.vectors,
        names: rule.anomaly.features.map((f) => f.name),
        trees: rule.anomaly.trees,
        sampleSize: rule.anomaly.sample_size,
        seed,
      })
    : undefined;
  const fitMs = performance.now() - t1;
  const model: AnomalyModel = {
    rule: rule.id,
    specHash: anomalySpecHash(rule),
    trainedAt: Date.now(),
    span,
    windows: collected.vectors.length,
    population: collected.population,
    sampled: collected.sampled,
    ...(fitted ? { forest: fitted.forest, stats: fitted.stats } : { insufficient: true as const }),
    took: { collect: Math.round(collectMs), fit: Math.round(fitMs) },
  };
  const stored = input.dryRun ? false : await writeModel(input.client, input.stateIndex, model, read);
  input.audit.record(
    'anomaly_trained',
    {
      rule: rule.id,
      reason,
      from: new Date(span.startMs).toISOString(),
      to: new Date(span.endMs).toISOString(),
      windows: model.windows,
      population: model.population,
      // more (entity, window) vectors than training.max_samples: a uniform sample was kept
      sampled: model.sampled,
      insufficient: model.insufficient ?? false,
      searches: collected.stats.searches,
      es_took: collected.stats.took,
      took: model.took,
      thread: fitted?.thread,
      stored,
    },
    model.sampled ? 'warn' : 'info',
  );
  if (!stored && !input.dryRun) {
    // another instance stored a model since this one read: use that one
    const theirs = (await readModels(input.client, input.stateIndex, [rule.id])).get(rule.id);
    if (theirs) return theirs.model;
  }
  return model;
}

function asFailure(e: unknown, rule: string): VigilError {
  if (e instanceof VigilError) return e;
  return new QueryError(`${rule}: training the anomaly model failed: ${(e as Error).message}`, {
    cause: e,
    ruleId: rule,
    reason: 'query',
  });
}
