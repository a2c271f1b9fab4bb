/** Sharing rules among monitors: even, deterministic, and a change of the live set moves few rules. */
import { assignRules } from '../../../src/state/instances';

const RULES = Array.from({ length: 17 }, (_, i) => `rule_${String(i).padStart(2, '0')}`);
const counts = (m: Map<string, string>) => {
  const c = new Map<string, number>();
  for (const owner of m.values()) c.set(owner, (c.get(owner) ?? 0) + 1);
  return [...c.values()].sort();
};

test.each([
  [1, [17]],
  [2, [8, 9]],
  [3, [5, 6, 6]],
  [4, [4, 4, 4, 5]],
  [17, Array(17).fill(1)],
])('%i instances share 17 rules evenly', (n, expected) => {
  const instances = Array.from({ length: n }, (_, i) => `host-${i}:100${i}:abc`);
  const a = assignRules(RULES, instances);
  expect(a.size).toBe(17);
  expect(counts(a)).toEqual(expected);
  // every instance computes the same, whatever order it lists the others in
  expect(assignRules([...RULES].reverse(), [...instances].reverse())).toEqual(a);
});

test('when one of three dies, the rules of the other two mostly stay where they were', () => {
  const three = ['a:1:x', 'b:2:y', 'c:3:z'];
  const before = assignRules(RULES, three);
  const after = assignRules(RULES, ['a:1:x', 'b:2:y']);
  expect(counts(after)).toEqual([8, 9]);
  const kept = RULES.filter((r) => before.get(r) !== 'c:3:z' && after.get(r) === before.get(r));
  const survivorsBefore = RULES.filter((r) => before.get(r) !== 'c:3:z');
  expect(kept.length).toBeGreaterThanOrEqual(survivorsBefore.length - 2);
});

test('no live instance: nothing is assigned', () => {
  expect(assignRules(RULES, []).size).toBe(0);
});
