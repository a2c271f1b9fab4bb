/**
 * Anomaly models in the state index: one document per rule (`model:<rule>`), written conditionally
 * on the version read, so two instances that trained at once keep one model, never a mix.
 */
import type { Client } from '@elastic/elasticsearch';
import type { AnomalyModel } from '../evaluate/anomaly-model';
import { readVersionedDocs, type VersionedDoc, writeStateDocsIfUnchanged } from './state-index';

export const modelDocId = (rule: string) => `model:${rule}`;

export interface StoredModel {
  model: AnomalyModel;
  version?: VersionedDoc['version'];
}

export async function readModels(
  client: Client,
  index: string,
  rules: string[],
): Promise<Map<string, StoredModel>> {
  const docs = await readVersionedDocs(client, index, rules.map(modelDocId));
  const out = new Map<string, StoredModel>();
  for (const rule of rules) {
    const d = docs.get(modelDocId(rule));
    if (d?.doc.body) out.set(rule, { model: d.doc.body as unknown as AnomalyModel, version: d.version });
  }
  return out;
}

/** Writes a model unless another instance replaced the one read since; returns whether it was written. */
export async function writeModel(
  client: Client,
  index: string,
  model: AnomalyModel,
  read: StoredModel | undefined,
): Promise<boolean> {
  const id = modelDocId(model.rule);
  const { conflicts } = await writeStateDocsIfUnchanged(client, index, [
    {
      id,
      version: read?.version,
      doc: {
        doc_type: 'model',
        rule: model.rule,
        updated_at: new Date(model.trainedAt).toISOString(),
        body: model as unknown as Record<string, unknown>,
      },
    },
  ]);
  return !conflicts.has(id);
}
