import { defineConfig } from 'vitest/config';

// isolated-vm needs --no-node-snapshot, which worker threads reject: run test files in forked processes.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    execArgv: ['--no-node-snapshot'],
    // Tests count the requests a run sends; answers cached by other tests or earlier runs would hide them.
    env: { EVAPORATE_CACHE_DIR: 'none' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
