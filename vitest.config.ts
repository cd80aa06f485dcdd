import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
    // The CLI tests spawn the built binary and local servers; two cores are
    // shared between them, so leave room instead of timing out under load.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
