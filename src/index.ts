/**
 * wxpay as a library: the WeChat Pay v2 core that the CLI is built on, for
 * merchants' own servers. Nothing exported here touches the terminal or
 * ends the process.
 */
export * from './core/errors.js';
export * from './core/sign.js';
export * from './core/xml.js';
export * from './core/money.js';
export * from './core/fields.js';
export * from './core/paysign.js';
export * from './core/diagnose/index.js';
export * from './core/params-text.js';
export * from './core/profile.js';
export * from './core/cert/index.js';
export * from './core/notify/index.js';
export * from './core/http/index.js';
export * from './core/api/index.js';
export * from './core/api/refund.js';
export * from './core/api/refund-query.js';
export * from './core/api/bill.js';
export * from './core/download/index.js';
export * from './core/doctor.js';
export * from './core/kf/index.js';
export * from './core/bill/index.js';
export * from './sim/index.js';
export { SimulatorAdminClient } from './sim/admin-client.js';
