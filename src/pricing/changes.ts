/**
 * Model names whose prices changed between two runs, from the fingerprints
 * each run's PriceBook gave them (`book.fingerprints(models)`): the sessions
 * that used them must be re-priced and their totals sent again. A name that
 * only one side has counts as changed.
 */
export function changedModels(previous: Readonly<Record<string, string>>, current: Readonly<Record<string, string>>): string[] {
  const names = new Set([...Object.keys(previous), ...Object.keys(current)]);
  return [...names].filter((name) => previous[name] !== current[name]).sort();
}
