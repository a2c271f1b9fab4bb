/** Per rule, the end of the last interval it evaluated successfully. */
import type { Client } from '@elastic/elasticsearch';
import { readStateDocs, writeStateDocs } from './state-index';

const idOf = (rule: string) => `checkpoint:${rule}`;

export async function readCheckpoints(
  client: Client,
  index: string,
  rules: string[],
): Promise<Map<string, number>> {
  const docs = await readStateDocs(client, index, rules.map(idOf));
  const out = new Map<string, number>();
  for (const r of rules) {
    const until = docs.get(idOf(r))?.until;
    if (until) out.set(r, Date.parse(until));
  }
  return out;
}

export async function writeCheckpoints(
  client: Client,
  index: string,
  untilByRule: Map<string, number>,
  nowMs: number,
): Promise<void> {
  await writeStateDocs(
    client,
    index,
    [...untilByRule].map(([rule, until]) => ({
      id: idOf(rule),
      doc: {
        doc_type: 'checkpoint',
        rule,
        until: new Date(until).toISOString(),
        updated_at: new Date(nowMs).toISOString(),
      },
    })),
  );
}
