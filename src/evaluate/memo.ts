/**
 * Memoizes a pure function of one number for the life of the returned function: evaluation asks
 * the same instants for every entity (their spans end on whole seconds), and reading an
 * instant in a time zone (luxon) costs tens of microseconds.
 */
export function memoByNumber<T>(fn: (n: number) => T): (n: number) => T {
  const seen = new Map<number, T>();
  return (n) => {
    if (!seen.has(n)) seen.set(n, fn(n));
    return seen.get(n) as T;
  };
}
