import { Command } from 'commander';
import { loadContext } from '../../app/context';
import { checkSource, fieldsNeeded } from '../../collect/check-sources';
import { mapEsError } from '../../collect/client';
import type { Rule } from '../../rules/rule-schema';
import { colours } from '../output';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description(
      'connect with the configured settings; show cluster version and health, and for each index pattern the indices, documents and field mappings the rules need (exit 3 when unreachable)',
    )
    .option('-c, --config <file>', 'config file (default: $VIGIL_CONFIG or ./config.yaml)')
    .option('--rules <dir>', 'rules folder (default: rules.dir from the config)')
    .action(async (opts: { config?: string; rules?: string }) => {
      const ctx = loadContext(opts);
      const { client } = ctx;
      const c = colours(process.stdout);
      const out = (s: string) => process.stdout.write(`${s}\n`);
      try {
        const [health, nodes] = await Promise.all([
          client.cluster.health(),
          client.nodes.info({ filter_path: 'nodes.*.version' }),
        ]);
        const versions = [...new Set(Object.values(nodes.nodes ?? {}).map((n) => n.version))];
        const colour = health.status === 'green' ? c.green : health.status === 'yellow' ? c.yellow : c.red;
        out(
          `cluster ${health.cluster_name}: Elasticsearch ${versions.join(', ')}, health ${colour(health.status)}, ${health.number_of_nodes} node(s)`,
        );
      } catch (e) {
        throw mapEsError(e, 'connecting', client);
      }
      const enabled = ctx.rules.filter((r) => r.enabled);
      const groups = new Map<string, Rule[]>();
      for (const r of enabled)
        groups.set(r.indices.join(','), [...(groups.get(r.indices.join(',')) ?? []), r]);
      let problems = 0;
      for (const [key, rules] of groups) {
        const patterns = key.split(',');
        const report = await checkSource(client, patterns, rules.flatMap(fieldsNeeded));
        out(`\nsource ${patterns.join(', ')} (rules: ${rules.map((r) => r.id).join(', ')})`);
        for (const p of report.patterns) {
          let docs = 0;
          if (p.indices.length) {
            try {
              docs = (
                await client.count({ index: p.pattern, ignore_unavailable: true, allow_no_indices: true })
              ).count;
            } catch (e) {
              throw mapEsError(e, `counting documents in ${p.pattern}`, client);
            }
          }
          out(
            `  ${p.pattern.padEnd(28)} ${p.indices.length ? c.green(`${p.indices.length} indices, ${docs} documents`) : c.yellow('matches no index')}`,
          );
        }
        for (const f of report.fields) {
          if (!f.usable) problems += 1;
          const types = f.types.length ? f.types.join('/') : 'not mapped';
          out(
            `  field ${f.field.padEnd(26)} ${f.usable ? c.green(types) : c.red(`${types} (needs ${f.need === 'aggregatable' ? 'keyword or ip' : f.need})`)}`,
          );
        }
      }
      const checked = [...groups.keys()].length > 0;
      out(
        problems
          ? `\n${problems} field problem(s): the rules that use them will fail or find nothing`
          : checked
            ? '\nevery needed field is mapped in the indices that exist'
            : '\nno enabled rules',
      );
      await client.close();
    });
}
