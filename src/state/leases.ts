/**
 * One lease document per rule, taken with optimistic concurrency (if_seq_no/if_primary_term) and
 * an expiry, so that two instances never evaluate the same rule in the same cycle. When the holder
 * dies, its leases expire and another instance takes them over within one lease period.
 */
import { type Client, errors } from '@elastic/elasticsearch';
import { privilegeError, type StateDoc } from './state-index';

export const leaseDocId = (rule: string) => `lease:${rule}`;
const idOf = leaseDocId;

export type LeaseVersion = { seqNo: number; primaryTerm: number };

export interface LeaseResult {
  acquired: string[];
  /** the version of each acquired lease document: the fencing token of this holder */
  versions: Map<string, LeaseVersion>;
  /** rule → owner holding it */
  heldElsewhere: Map<string, string>;
}

export async function acquireLeases(
  client: Client,
  index: string,
  rules: string[],
  owner: string,
  nowMs: number,
  ttlMs: number,
): Promise<LeaseResult> {
  const acquired: string[] = [];
  const versions = new Map<string, LeaseVersion>();
  const heldElsewhere = new Map<string, string>();
  const doc = (): StateDoc => ({
    doc_type: 'lease',
    rule: '',
    owner,
    expires_at: new Date(nowMs + ttlMs).toISOString(),
    updated_at: new Date(nowMs).toISOString(),
  });
  // a monitor whose share is empty (more monitors than rules) holds nothing
  if (rules.length === 0) return { acquired, versions, heldElsewhere };
  let existing: Awaited<ReturnType<Client['mget']>>;
  try {
    existing = await client.mget<StateDoc>({ index, ids: rules.map(idOf) });
  } catch (e) {
    throw privilegeError(e, index, 'read', 'read', client);
  }
  await Promise.all(
    rules.map(async (rule, i) => {
      const cur = existing.docs[i] as {
        found?: boolean;
        _source?: StateDoc;
        _seq_no?: number;
        _primary_term?: number;
      };
      const body = { ...doc(), rule };
      try {
        let res: { _seq_no?: number; _primary_term?: number };
        if (!cur.found) {
          res = await client.index({ index, id: idOf(rule), document: body, op_type: 'create' });
        } else {
          const src = cur._source as StateDoc;
          const expired = !src.expires_at || Date.parse(src.expires_at) <= nowMs;
          if (src.owner !== owner && !expired) {
            heldElsewhere.set(rule, src.owner ?? 'unknown');
            return;
          }
          res = await client.index({
            index,
            id: idOf(rule),
            document: body,
            if_seq_no: cur._seq_no,
            if_primary_term: cur._primary_term,
          });
        }
        acquired.push(rule);
        versions.set(rule, { seqNo: res._seq_no as number, primaryTerm: res._primary_term as number });
      } catch (e) {
        if (e instanceof errors.ResponseError && e.statusCode === 409) {
          heldElsewhere.set(rule, 'another instance');
          return;
        }
        throw privilegeError(e, index, 'write', 'write to', client);
      }
    }),
  );
  return { acquired: rules.filter((r) => acquired.includes(r)), versions, heldElsewhere };
}

/** Gives leases back (expires them now) so another instance can take them at once. */
export async function releaseLeases(
  client: Client,
  index: string,
  rules: string[],
  owner: string,
  nowMs: number,
): Promise<void> {
  if (rules.length === 0) return;
  const res = await client.mget<StateDoc>({ index, ids: rules.map(idOf) }).catch(() => undefined);
  if (!res) return;
  await Promise.all(
    res.docs.map(async (d) => {
      const cur = d as {
        found?: boolean;
        _id: string;
        _source?: StateDoc;
        _seq_no?: number;
        _primary_term?: number;
      };
      if (!cur.found || cur._source?.owner !== owner) return;
      await client
        .index({
          index,
          id: cur._id,
          document: { ...cur._source, expires_at: new Date(nowMs).toISOString() },
          if_seq_no: cur._seq_no,
          if_primary_term: cur._primary_term,
        })
        .catch(() => undefined);
    }),
  );
}
