import type { estypes } from '@elastic/elasticsearch';

/** One search of an `_msearch`: the header line and the body line. */
export interface MsearchItem {
  header: estypes.MsearchMultisearchHeader;
  body: estypes.MsearchMultisearchBody;
}

/** The interval a cycle evaluates: [startMs, endMs). */
export interface Interval {
  startMs: number;
  endMs: number;
}

export type AfterKey = Record<string, estypes.FieldValue>;
