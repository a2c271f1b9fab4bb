import { z } from 'zod';

/** Elasticsearch query DSL, written in YAML: a mapping with one query type at its top. */
export const queryDsl = z
  .record(z.string(), z.unknown(), {
    error: 'expected an Elasticsearch query (a mapping such as {term: {event.outcome: failure}})',
  })
  .refine((q) => Object.keys(q).length === 1, {
    error: 'expected exactly one query type at the top, e.g. bool or term',
  });
