import { Command } from 'commander';
import { z } from 'zod';
import { configSchema } from '../../config/schema';
import { ruleSchema } from '../../rules/rule-schema';

export function schemaCommand(): Command {
  return new Command('schema')
    .description('print the JSON Schema of config.yaml (or of a rule file with --rule) for editors')
    .option('--rule', 'the schema of queries/*.yaml instead')
    .action((opts: { rule?: boolean }) => {
      const schema = z.toJSONSchema(opts.rule ? ruleSchema : configSchema, {
        io: 'input',
        unrepresentable: 'any',
      });
      process.stdout.write(
        `${JSON.stringify({ ...schema, title: opts.rule ? 'vigil rule' : 'vigil config' }, null, 2)}\n`,
      );
    });
}
