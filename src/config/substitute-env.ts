/**
 * ${VAR} and ${VAR:-default} substitution on the values of a parsed YAML tree (never on the raw
 * text, so a value from the environment cannot change the structure), and `<key>_file` secrets:
 * `password_file: /run/secrets/es` sets `password` from the file's content.
 */
import fs from 'node:fs';

const SECRET_KEYS = new Set(['password', 'api_key', 'username', 'url', 'secret', 'token']);
const REF_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\$\{/g;

export interface Substituted {
  value: unknown;
  problems: string[];
  /** every secret value met (from *_file, or under a secret key), for redaction */
  secrets: string[];
}

type Env = Record<string, string | undefined>;

export function substituteEnv(tree: unknown, env: Env, file: string, readFile = readSecretFile): Substituted {
  const problems: string[] = [];
  const secrets: string[] = [];
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string')
      return expand(node, env, (msg) => problems.push(`${file}: ${path.join('.')}: ${msg}`));
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, String(i)]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        const value = walk(v, [...path, k]);
        const base = k.endsWith('_file') ? k.slice(0, -5) : undefined;
        if (base && SECRET_KEYS.has(base)) {
          if (value === '' || value === null || value === undefined) continue;
          if (typeof value !== 'string') {
            problems.push(`${file}: ${[...path, k].join('.')}: expected a file path`);
            continue;
          }
          const read = readFile(value);
          if ('error' in read)
            problems.push(`${file}: ${[...path, k].join('.')}: cannot read ${value} (${read.error})`);
          else {
            out[base] = read.text;
            secrets.push(read.text);
          }
          continue;
        }
        if (SECRET_KEYS.has(k) && k !== 'username' && typeof value === 'string' && value) secrets.push(value);
        if (!(k in out)) out[k] = value;
      }
      return out;
    }
    return node;
  };
  const value = walk(tree, []);
  return { value, problems, secrets: secrets.filter((s) => s.length >= 4) };
}

function expand(text: string, env: Env, problem: (msg: string) => void): string {
  return text.replace(REF_RE, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$${') return '${';
    const v = env[name as string];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    problem(`environment variable ${name} is not set (use \${${name}:-default} for a default)`);
    return '';
  });
}

function readSecretFile(p: string): { text: string } | { error: string } {
  try {
    return { text: fs.readFileSync(p, 'utf8').replace(/\r?\n$/, '') };
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
}
