import { Command } from 'commander';
import { defaultConfigPath, resolveRulesDir } from '../../app/context';
import { loadConfig } from '../../config/load-config';
import { ConfigError, EXIT } from '../../errors';
import { loadRules } from '../../rules/load-rules';
import { configOption, formatOption, rulesOption } from '../options';
import type { Format } from '../output';

export function validateCommand(): Command {
  return new Command('validate')
    .description('check the config and every rule file; list every problem (exit 0 when valid, 2 otherwise)')
    .addOption(configOption())
    .addOption(rulesOption())
    .addOption(formatOption('output format: table (text), or json: one JSON object on stdout'))
    .action((opts: { config?: string; rules?: string; format: Format }) => {
      const problems: string[] = [];
      const result: { config?: string; rules_dir?: string; rules?: number; enabled?: number } = {};
      try {
        const loaded = loadConfig(defaultConfigPath(opts.config));
        const dir = resolveRulesDir(loaded, opts.rules);
        const rules = loadRules(dir, loaded.config, loaded.file);
        problems.push(...rules.problems);
        Object.assign(result, {
          config: loaded.file,
          rules_dir: dir,
          rules: rules.all.length,
          enabled: rules.all.filter((r) => r.enabled).length,
        });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.problems);
      }
      if (problems.length) process.exitCode = EXIT.config;
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ valid: problems.length === 0, problems, ...result })}\n`);
        return;
      }
      if (problems.length) {
        for (const p of problems) process.stderr.write(`${p}\n`);
        process.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found\n`);
        return;
      }
      process.stdout.write(
        `${result.config}: valid; ${result.rules} rules (${result.enabled} enabled) in ${result.rules_dir}\n`,
      );
    });
}
