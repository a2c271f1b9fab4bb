/**
 * Pure: checks a `regexp` query's pattern the way Elasticsearch will (Lucene's RegExp parser
 * with the default ALL flags, and index.max_regex_length), so `vigil validate` reports a broken
 * pattern instead of the rule failing on every cycle. Mirrors Lucene's grammar:
 *
 *   union  := inter ('|' union)?        inter := concat ('&' inter)?
 *   concat := repeat+                   repeat := compl ('?' | '*' | '+' | '{n}' | '{n,}' | '{n,m}')*
 *   compl  := '~' compl | class         class  := '[' '^'? (char ('-' char)?)+ ']' | simple
 *   simple := '.' | '#' | '@' | '"'...'"' | '(' union? ')' | '<' n '-' m '>' | char
 *   char   := '\'? <any character>
 */
const MAX_REGEX_LENGTH = 1000;

class RegexpSyntaxError extends Error {}

export function luceneRegexpProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_LENGTH)
    return `the pattern is ${pattern.length} characters long; Elasticsearch allows ${MAX_REGEX_LENGTH} (index.max_regex_length)`;
  const chars = [...pattern];
  let pos = 0;
  const fail = (what: string): never => {
    throw new RegexpSyntaxError(`${what} at position ${pos}`);
  };
  const more = () => pos < chars.length;
  const peek = (set: string) => more() && set.includes(chars[pos]);
  const match = (c: string) => {
    if (more() && chars[pos] === c) {
      pos++;
      return true;
    }
    return false;
  };
  const next = () => {
    if (!more()) fail('unexpected end of the pattern');
    return chars[pos++];
  };
  const charExp = () => {
    match('\\');
    return next();
  };
  const simple = (): void => {
    if (match('.') || match('#') || match('@')) return;
    if (match('"')) {
      while (more() && chars[pos] !== '"') pos++;
      if (!match('"')) fail("expected '\"'");
      return;
    }
    if (match('(')) {
      if (match(')')) return;
      union();
      if (!match(')')) fail("expected ')'");
      return;
    }
    if (match('<')) {
      const end = chars.indexOf('>', pos);
      if (end === -1) fail("expected '>'");
      const body = chars.slice(pos, end).join('');
      pos = end + 1;
      if (!/^\d+-\d+$/.test(body))
        fail(`"<${body}>" is neither a numeric interval like <1-10> nor a known automaton`);
      return;
    }
    charExp();
  };
  const charClass = (): void => {
    if (!match('[')) {
      simple();
      return;
    }
    match('^');
    do {
      const from = charExp();
      if (match('-')) {
        const to = charExp();
        if ((from.codePointAt(0) ?? 0) > (to.codePointAt(0) ?? 0))
          fail(`invalid character range ${from}-${to}`);
      }
    } while (more() && !peek(']'));
    if (!match(']')) fail("expected ']'");
  };
  const compl = (): void => {
    while (match('~'));
    charClass();
  };
  const repeat = (): void => {
    compl();
    while (peek('?*+{')) {
      if (!match('{')) {
        pos++;
        continue;
      }
      const int = () => {
        const start = pos;
        while (peek('0123456789')) pos++;
        return pos > start ? Number(chars.slice(start, pos).join('')) : undefined;
      };
      const min = int();
      if (min === undefined) fail('expected an integer after {');
      const max = match(',') ? int() : min;
      if (!match('}')) fail("expected '}'");
      if (max !== undefined && max < (min as number))
        fail(`{${min},${max}}: the maximum is below the minimum`);
    }
  };
  const concat = (): void => {
    repeat();
    while (more() && !peek(')|&')) repeat();
  };
  const inter = (): void => {
    concat();
    if (match('&')) inter();
  };
  function union(): void {
    inter();
    if (match('|')) union();
  }
  try {
    if (chars.length === 0) return undefined;
    union();
    if (more()) fail('unexpected character');
    return undefined;
  } catch (e) {
    if (e instanceof RegexpSyntaxError) return e.message;
    throw e;
  }
}

/** Every `regexp` query in a query DSL tree: [path inside the tree, pattern]. */
export function findRegexps(node: unknown, path: (string | number)[] = []): [(string | number)[], string][] {
  if (Array.isArray(node)) return node.flatMap((v, i) => findRegexps(v, [...path, i]));
  if (node === null || typeof node !== 'object') return [];
  const out: [(string | number)[], string][] = [];
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'regexp' && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [field, spec] of Object.entries(v as Record<string, unknown>)) {
        const value = typeof spec === 'string' ? spec : (spec as { value?: unknown } | null)?.value;
        if (typeof value === 'string') out.push([[...path, k, field], value]);
      }
    } else out.push(...findRegexps(v, [...path, k]));
  }
  return out;
}
