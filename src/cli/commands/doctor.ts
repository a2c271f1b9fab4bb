import type { Client } from '@elastic/elasticsearch';
import { Command } from 'commander';
import { loadContext } from '../../app/context';
import { checkSource, fieldsNeeded, type SourceReport } from '../../collect/check-sources';
import { mapEsError } from '../../collect/client';
import { describeEngine, detectEngine, type Product } from '../../collect/engine';
import { checkEntityCoverage, type EntityCoverage } from '../../collect/entity-coverage';
import type { Rule } from '../../rules/rule-schema';
import { type AllowlistGroup, describeAllowlist, groupAllowlists } from '../allowlist-view';
import { configOption, formatOption, rulesOption } from '../options';
import { colours, type Format } from '../output';

interface DoctorReport {
  engine: { product: Product; version: string };
  cluster: { name: string; versions: string[]; health: string; nodes: number };
  sources: {
    patterns: { pattern: string; indices: number; documents: number }[];
    rules: string[];
    fields: SourceReport['fields'];
    /** allowlists in force, rules with the same allowlist together */
    allowlists: AllowlistGroup[];
  }[];
  field_problems: number;
  /** Per rule, pattern and group_by field: how many of the latest day's matching documents lack it. */
  entity_fields: EntityCoverage[];
  entity_problems: number;
}

async function examine(client: Client, rules: Rule[]): Promise<DoctorReport> {
  const { product, version } = await detectEngine(client);
  let cluster: DoctorReport['cluster'];
  try {
    const [health, nodes] = await Promise.all([
      client.cluster.health(),
      client.nodes.info({ filter_path: 'nodes.*.version' }),
    ]);
    const versions = [...new Set(Object.values(nodes.nodes ?? {}).map((n) => n.version))];
    cluster = { name: health.cluster_name, versions, health: health.status, nodes: health.number_of_nodes };
  } catch (e) {
    throw mapEsError(e, 'connecting', client);
  }
  const groups = new Map<string, Rule[]>();
  for (const r of rules.filter((x) => x.enabled))
    groups.set(r.indices.join(','), [...(groups.get(r.indices.join(',')) ?? []), r]);
  const sources: DoctorReport['sources'] = [];
  for (const [key, group] of groups) {
    const report = await checkSource(client, key.split(','), group.flatMap(fieldsNeeded));
    const patterns = [];
    for (const p of report.patterns) {
      let documents = 0;
      if (p.indices.length) {
        try {
          documents = (
            await client.count({ index: p.pattern, ignore_unavailable: true, allow_no_indices: true })
          ).count;
        } catch (e) {
          throw mapEsError(e, `counting documents in ${p.pattern}`, client);
        }
      }
      patterns.push({ pattern: p.pattern, indices: p.indices.length, documents });
    }
    sources.push({
      patterns,
      rules: group.map((r) => r.id),
      fields: report.fields,
      allowlists: groupAllowlists(group),
    });
  }
  const field_problems = sources.reduce((n, s) => n + s.fields.filter((f) => !f.usable).length, 0);
  const entity_fields = await checkEntityCoverage(client, rules);
  const entity_problems = entity_fields.filter((e) => e.problem).length;
  return { engine: { product, version }, cluster, sources, field_problems, entity_fields, entity_problems };
}

function printReport(r: DoctorReport): void {
  const c = colours(process.stdout);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const colour = r.cluster.health === 'green' ? c.green : r.cluster.health === 'yellow' ? c.yellow : c.red;
  out(
    `cluster ${r.cluster.name}: ${describeEngine(r.engine)}${r.cluster.versions.length > 1 ? ` (nodes run ${r.cluster.versions.join(', ')})` : ''}, health ${colour(r.cluster.health)}, ${r.cluster.nodes} node(s)`,
  );
  for (const s of r.sources) {
    out(`\nsource ${s.patterns.map((p) => p.pattern).join(', ')} (rules: ${s.rules.join(', ')})`);
    for (const p of s.patterns) {
      out(
        `  ${p.pattern.padEnd(28)} ${p.indices ? c.green(`${p.indices} indices, ${p.documents} documents`) : c.yellow('matches no index')}`,
      );
    }
    for (const a of s.allowlists) out(`  ${describeAllowlist(a)}`);
    for (const f of s.fields) {
      const types = f.types.length ? f.types.join('/') : 'not mapped';
      out(
        `  field ${f.field.padEnd(26)} ${f.usable ? c.green(types) : c.red(`${types} (needs ${f.need === 'aggregatable' ? 'keyword or ip' : f.need})`)}`,
      );
    }
  }
  for (const e of r.entity_fields.filter((x) => x.problem)) {
    out(
      c.red(
        `\nentity field ${e.field} of ${e.rule} is missing from ${Math.round(e.share_missing * 100)}% of the ${e.documents} documents it matches in ${e.pattern} (the day up to ${e.latest}): those events count for no entity`,
      ),
    );
  }
  out(
    r.field_problems
      ? `\n${r.field_problems} field problem(s): the rules that use them will fail or find nothing`
      : r.sources.length
        ? '\nevery needed field is mapped in the indices that exist'
        : '\nno enabled rules',
  );
  if (r.entity_problems)
    out(`${r.entity_problems} entity field problem(s): recent documents lack the field a rule counts by`);
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      "connect with the configured settings; show the engine (Elasticsearch or OpenSearch) and its version, cluster health, and for each index pattern the indices, documents and field mappings the rules need, and each rule's entity (group_by) field missing from most of the latest day of matching documents (exit 3 when unreachable)",
    )
    .addOption(configOption())
    .addOption(rulesOption())
    .addOption(formatOption('output format: table (text), or json: one JSON object on stdout'))
    .action(async (opts: { config?: string; rules?: string; format: Format }) => {
      const ctx = loadContext(opts);
      try {
        const report = await examine(ctx.client, ctx.rules);
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify(report)}\n`);
        else printReport(report);
      } finally {
        await ctx.client.close();
      }
    });
}
