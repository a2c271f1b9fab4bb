/** Wiring: config file + rules folder + Elasticsearch client, as every command needs them. */
import path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createClient } from '../collect/client';
import { type LoadedConfig, loadConfig } from '../config/load-config';
import { ConfigError } from '../errors';
import { loadRules } from '../rules/load-rules';
import type { Rule } from '../rules/rule-schema';

export interface AppContext {
  loaded: LoadedConfig;
  rules: Rule[];
  rulesDir: string;
  client: Client;
}

export interface ContextOptions {
  config?: string;
  rules?: string;
}

export function defaultConfigPath(opt?: string): string {
  return opt ?? process.env.VIGIL_CONFIG ?? 'config.yaml';
}

export function resolveRulesDir(loaded: LoadedConfig, override?: string): string {
  if (override) return path.resolve(override);
  return path.isAbsolute(loaded.config.rules.dir)
    ? loaded.config.rules.dir
    : path.resolve(loaded.baseDir, loaded.config.rules.dir);
}

/** Loads config and rules; any problem in either is a ConfigError listing all of them. */
export function loadConfigAndRules(opts: ContextOptions): {
  loaded: LoadedConfig;
  rules: Rule[];
  rulesDir: string;
} {
  const loaded = loadConfig(defaultConfigPath(opts.config));
  const rulesDir = resolveRulesDir(loaded, opts.rules);
  const { all, problems } = loadRules(rulesDir, loaded.config, loaded.file);
  if (problems.length) throw new ConfigError(problems);
  return { loaded, rules: all, rulesDir };
}

export function loadContext(opts: ContextOptions): AppContext {
  const base = loadConfigAndRules(opts);
  return { ...base, client: createClient(base.loaded.config.elasticsearch, base.loaded.file) };
}
