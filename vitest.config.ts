import { defineConfig } from 'vitest/config';

// Three kinds of test, run as separate stages by scripts/test.ts:
// unit (no Docker, no build), integration (a real Docker engine and the
// locally built images), build (checks over the built site in dist/).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // Tests share one Docker engine on a 2-core machine; running files
          // in parallel makes timing-sensitive limits (wall time) flaky.
          fileParallelism: false,
        },
      },
      {
        test: {
          // npm run test:cluster (scripts/test-cluster.ts): three nodes, HAProxy and Redis on this machine.
          name: 'cluster',
          include: ['tests/cluster/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'build',
          include: ['tests/build/**/*.test.ts'],
          // Parsing the largest pages takes seconds on a loaded 2-core machine.
          testTimeout: 30_000,
        },
      },
    ],
  },
});
