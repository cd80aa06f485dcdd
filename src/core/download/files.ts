export { AtomicFile, writeFileAtomic } from '../atomic-file.js';

/**
 * The file a downloaded bill is saved as, e.g. `bill-ALL-20240101.csv` or
 * `fundflow-Basic-20240101.csv.gz`: kind, type, day, and `.gz` when the
 * bytes are gzip. `bill reconcile --date` finds bills by this name.
 */
export function billFileName(
  kind: 'bill' | 'fundflow',
  type: string,
  day: string,
  gzip: boolean,
): string {
  return `${kind}-${type}-${day}.csv${gzip ? '.gz' : ''}`;
}

/**
 * The empty-day marker `bill download` saves when WeChat answers "No Bill
 * Exist", e.g. `bill-ALL-20240101.nobill`: the day was asked for and had no
 * bill, which `bill reconcile --date` then reads as an empty bill.
 */
export function noBillFileName(
  kind: 'bill' | 'fundflow',
  type: string,
  day: string,
): string {
  return `${kind}-${type}-${day}.nobill`;
}
