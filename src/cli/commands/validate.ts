import { Command } from 'commander';
import { defaultConfigPath, resolveRulesDir } from '../../app/context';
import { loadConfig } from '../../config/load-config';
import { ConfigError, EXIT } from '../../errors';
import { loadRules } from '../../rules/load-rules';

export function validateCommand(): Command {
  return new Command('validate')
    .description('check the config and every rule file; list every problem (exit 0 when valid, 2 otherwise)')
    .option('-c, --config <file>', 'config file (default: $VIGIL_CONFIG or ./config.yaml)')
    .option('--rules <dir>', 'rules folder (default: rules.dir from the config)')
    .action((opts: { config?: string; rules?: string }) => {
      const problems: string[] = [];
      let summary = '';
      try {
        const loaded = loadConfig(defaultConfigPath(opts.config));
        const dir = resolveRulesDir(loaded, opts.rules);
        const rules = loadRules(dir, loaded.config, loaded.file);
        problems.push(...rules.problems);
        summary = `${loaded.file}: valid; ${rules.all.length} rules (${rules.all.filter((r) => r.enabled).length} enabled) in ${dir}`;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.problems);
      }
      if (problems.length) {
        for (const p of problems) process.stderr.write(`${p}\n`);
        process.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found\n`);
        process.exitCode = EXIT.config;
        return;
      }
      process.stdout.write(`${summary}\n`);
    });
}
