import { findRegexps, luceneRegexpProblem } from '../../../src/rules/lucene-regexp';
import { REGEXP_CASES } from './regexp-cases';

describe('luceneRegexpProblem agrees with Elasticsearch', () => {
  it.each(
    REGEXP_CASES.map(([p, ok]) => [p.length > 40 ? `${p.slice(0, 20)}… (${p.length} chars)` : p, p, ok]),
  )('%s', (_name, pattern, valid) => {
    const problem = luceneRegexpProblem(pattern as string);
    if (valid) expect(problem).toBeUndefined();
    else expect(problem).toMatch(/position|characters long/);
  });
});

it('findRegexps finds patterns at any depth, in both spellings', () => {
  const q = {
    bool: {
      filter: [
        { regexp: { 'user.name': '[a-' } },
        { bool: { should: [{ regexp: { 'url.original': { value: 'x{' } } }] } },
      ],
    },
  };
  expect(findRegexps(q)).toEqual([
    [['bool', 'filter', 0, 'regexp', 'user.name'], '[a-'],
    [['bool', 'filter', 1, 'bool', 'should', 0, 'regexp', 'url.original'], 'x{'],
  ]);
});
