/** Trade bills: streaming parser, summary checks and reconciliation. */
export * from './columns.js';
export * from './checks.js';
export * from './rows.js';
export * from './amounts.js';
export * from './summary.js';
export * from './parse.js';
export { plainBytes, lineBatches, type ByteSource } from './source.js';
export * from './categories.js';
export * from './csv.js';
export * from './orders.js';
export * from './reconcile.js';
