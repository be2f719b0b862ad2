import { defineConfig } from 'vitest/config'

// Two projects: fast unit tests beside the code, and tests that run the real stack (s3rver + wrangler dev +
// worker, and Debian Chromium). `npm test` runs unit first, then integration, so they don't fight for 2 cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/src/**/*.test.ts', 'scripts/**/*.test.ts', 'edge/src/**/*.test.ts', 'gpu-worker/src/**/*.test.ts', 'web/src/**/*.test.ts', 'cli/src/**/*.test.ts', 'client/src/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/browser/**/*.test.ts'],
          globalSetup: ['tests/setup/stack.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
