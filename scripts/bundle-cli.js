// Bundles the CLI (after tsc) into CommonJS chunks under dist/bin, run by
// `npm run build`. Node 20 starts CommonJS much faster than ES modules: the
// ES module loader alone costs more than a quarter of `wxpay --help`.
// Command groups stay separate chunks loaded on demand, so a command still
// loads only its own code. Packages stay outside the bundle; those published
// only as ES modules (chalk, conf, @inquirer/prompts) are loaded with
// import() in the source, which the bundle keeps as import()
// (test/cli/bundle.test.ts checks both).
import { rmSync } from 'node:fs';
import { build } from 'rolldown';

rmSync('dist/bin', { recursive: true, force: true });
await build({
  input: { wxpay: 'dist/cli/bin-entry.js' },
  platform: 'node',
  // Every bare specifier: node: built-ins and the dependencies.
  external: /^[^./]/,
  output: {
    dir: 'dist/bin',
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: 'chunks/[name]-[hash].cjs',
    // Everything `wxpay --help` runs goes into one file (each extra file
    // costs a resolve, a read and a compile at start-up); the rest of the
    // CLI is split by what each command group needs.
    codeSplitting: {
      groups: [{ name: 'startup', test: /dist[\\/]cli[\\/]bin-entry\.js$/ }],
    },
  },
});
