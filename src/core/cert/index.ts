/** The merchant API certificate: loading (p12 or PEM), checks and TLS options. */
export * from './certificate.js';
export * from './pkcs12.js';
export * from './load.js';
export * from './checks.js';
