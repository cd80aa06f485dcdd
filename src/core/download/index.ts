/** Bill and fund-flow downloads: dates, file names, atomic saving. */
export * from './dates.js';
export * from './files.js';
