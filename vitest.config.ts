import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own process: tests start servers and open database files.
    pool: 'forks',
    // Every answer a test provokes is checked against its documented model (src/api/responses.ts).
    env: { NO_COLOR: '1', HOOKD_VALIDATE_RESPONSES: 'true' },
    // The JSON report feeds the totals line of .ci/run.
    reporters: ['default', ['json', { outputFile: 'test-output/vitest.json' }]],
  },
});
