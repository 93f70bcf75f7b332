/**
 * `compute` made to run once per key object: later calls with the same object return the first
 * result, kept as long as the object lives (a WeakMap). For what depends on one parsed object or
 * BTF alone, so that checking it against many kernels derives it once.
 */
export function oncePer<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const results = new WeakMap<K, V>();
  return (key) => {
    if (results.has(key)) return results.get(key) as V;
    const value = compute(key);
    results.set(key, value);
    return value;
  };
}
