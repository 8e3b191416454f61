import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two workers on a two-core machine: test files that start PGlite (~5 s, ~500 MB) or real
    // server processes are slow when they overlap, so time limits are generous. They bound
    // hangs; speed is measured by the benchmark scripts, never by tests.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
