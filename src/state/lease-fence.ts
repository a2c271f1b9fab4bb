/**
 * Fencing: the leases a cycle holds, by the version of each lease document it last wrote. Before
 * every state write the cycle renews them, each conditional on that version (if_seq_no /
 * if_primary_term): a renewal that fails means another instance took the rule over (the lease
 * expired while this one was paused or slow), and from then on this cycle writes nothing for it.
 * Renewing also extends the expiry, so a long cycle keeps its rules.
 */
import { type Client, errors } from '@elastic/elasticsearch';
import { type LeaseVersion, leaseDocId } from './leases';
import { privilegeError, type StateDoc } from './state-index';

export class LeaseFence {
  private readonly versions: Map<string, LeaseVersion>;
  private readonly lostRules = new Set<string>();

  constructor(
    private readonly client: Client,
    private readonly index: string,
    private readonly owner: string,
    private readonly ttlMs: number,
    versions: Map<string, LeaseVersion>,
  ) {
    this.versions = new Map(versions);
  }

  /** Rules still held (not lost at the last renewal). */
  get held(): string[] {
    return [...this.versions.keys()].filter((r) => !this.lostRules.has(r));
  }

  get lost(): string[] {
    return [...this.lostRules];
  }

  holds(rule: string): boolean {
    return this.versions.has(rule) && !this.lostRules.has(rule);
  }

  /**
   * Renews every held lease, conditional on the version this holder wrote last. Returns the rules
   * lost now. Errors other than a conflict propagate (the cycle fails and writes nothing more).
   */
  async renew(nowMs: number): Promise<string[]> {
    const lostNow: string[] = [];
    await Promise.all(
      this.held.map(async (rule) => {
        const v = this.versions.get(rule) as LeaseVersion;
        const doc: StateDoc = {
          doc_type: 'lease',
          rule,
          owner: this.owner,
          expires_at: new Date(nowMs + this.ttlMs).toISOString(),
          updated_at: new Date(nowMs).toISOString(),
        };
        try {
          const res = await this.client.index({
            index: this.index,
            id: leaseDocId(rule),
            document: doc,
            if_seq_no: v.seqNo,
            if_primary_term: v.primaryTerm,
          });
          this.versions.set(rule, { seqNo: res._seq_no as number, primaryTerm: res._primary_term as number });
        } catch (e) {
          if (e instanceof errors.ResponseError && (e.statusCode === 409 || e.statusCode === 404)) {
            this.lostRules.add(rule);
            lostNow.push(rule);
            return;
          }
          throw privilegeError(e, this.index, 'write', 'write to', this.client);
        }
      }),
    );
    return lostNow;
  }
}
