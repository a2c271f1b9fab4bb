import crypto from 'node:crypto';
import fs from 'node:fs';
import YAML from 'yaml';
import { ConfigError } from '../errors';

const MAX_BYTES = 1_048_576;

export interface YamlFile {
  file: string;
  value: unknown;
  sha256: string;
}

/**
 * Reads one YAML document. Size, alias expansion ("YAML bombs") and duplicate keys are bounded;
 * every failure is a one-line ConfigError naming the file (and line where YAML knows it).
 */
export function readYamlFile(file: string, label = file): YamlFile {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new ConfigError(`${label}: is a folder, expected a YAML file`);
    if (st.size > MAX_BYTES) throw new ConfigError(`${label}: file is larger than 1 MiB`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${label}: cannot read the file (${code === 'ENOENT' ? 'not found' : code})`, {
      cause: e,
    });
  }
  return {
    file: label,
    value: parseYamlText(text, label),
    sha256: crypto.createHash('sha256').update(text).digest('hex'),
  };
}

export function parseYamlText(text: string, label: string): unknown {
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  } catch (e) {
    throw new ConfigError(`${label}: not valid YAML: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
  if (doc.errors.length) {
    const problems = doc.errors.map((err) => {
      const line = err.linePos?.[0]?.line ?? lineAt(text, err.pos?.[0]);
      return `${label}${line ? `:${line}` : ''}: not valid YAML: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new ConfigError(problems);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const msg = (e as Error).message;
    throw new ConfigError(
      `${label}: not valid YAML: ${/alias/i.test(msg) ? 'too many alias expansions (a YAML bomb?)' : msg.split('\n')[0]}`,
      { cause: e },
    );
  }
}

/** 1-based line of a character offset (YAML gives offsets, and line numbers only with prettyErrors). */
function lineAt(text: string, offset: number | undefined): number | undefined {
  if (offset === undefined || offset < 0) return undefined;
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
