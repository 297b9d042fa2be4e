import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own process: tests start servers and open database files.
    pool: 'forks',
    // Two files at a time. Vitest's default is one fewer than the cores, which on a 2-core machine
    // runs every file in turn; the tests mostly wait on sockets, timers and fsync, so two share the
    // cores well and keep the CI run under its 20-minute budget.
    maxWorkers: 2,
    // Every answer a test provokes is checked against its documented model (src/api/responses.ts).
    env: { NO_COLOR: '1', HOOKD_VALIDATE_RESPONSES: 'true' },
    // The JSON report feeds the totals line of .ci/run.
    reporters: ['default', ['json', { outputFile: 'test-output/vitest.json' }]],
  },
});
