import type { Finding } from '../types';

/**
 * A Kibana Discover link for a finding: its window as the time range and its entity as a KQL
 * query. Values come from logs, so they are escaped for KQL, then for rison, then for the URL.
 */
export function buildDiscoverUrl(kibanaUrl: string, finding: Pick<Finding, 'entity' | 'window'>): string {
  const kql = Object.entries(finding.entity)
    .map(([field, value]) => `${field}:${quoteKql(value)}`)
    .join(' and ');
  const g = `(time:(from:${risonString(finding.window.start)},to:${risonString(finding.window.end)}))`;
  const a = `(query:(language:kuery,query:${risonString(kql)}))`;
  return `${kibanaUrl.replace(/\/+$/, '')}/app/discover#/?_g=${encodeURIComponent(g)}&_a=${encodeURIComponent(a)}`;
}

function quoteKql(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Rison string literal: single quotes, with `!` and `'` escaped by `!`. */
function risonString(value: string): string {
  return `'${value.replace(/[!']/g, (c) => `!${c}`)}'`;
}
