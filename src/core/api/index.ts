/**
 * Typed WeChat Pay v2 operations on top of PayClient. Add an endpoint by
 * writing a function that builds its fields and calls `client.call` (or
 * `client.raw` for bill bodies, with `{ cert: true }` where spec 4.0 says
 * the client certificate is needed).
 */
export * from './err-codes.js';
export * from './order-ledger.js';
export * from './orders.js';
export * from './trade-state.js';
export * from './unified-order.js';
