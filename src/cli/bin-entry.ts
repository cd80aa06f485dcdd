// What bin/wxpay.js needs from the CLI, bundled into dist/bin/wxpay.cjs.
export { main } from './main.js';
export { processIO } from './io.js';
export { dispatchInterrupt } from './interrupt.js';
