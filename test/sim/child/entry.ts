/**
 * What the child processes of the concurrency tests use; the test bundles
 * this file into plain JavaScript so other Node processes can run it.
 */
export { startSimulator } from '../../../src/sim/index.js';
export { fileStateStore } from '../../../src/sim/state-store.js';
export { sign } from '../../../src/core/sign.js';
export { buildXml } from '../../../src/core/xml.js';
export { nonceStr } from '../../../src/core/fields.js';
export { DEMO_PROFILE } from '../../../src/sim/demo.js';
