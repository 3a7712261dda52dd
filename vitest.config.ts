import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Two cores: two test files at a time; each boots real servers on real databases.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Browser tests wait for screens with expect.poll: a second (the default) is short when two
    // Chromiums, their consoles and servers share two cores; a right answer still ends the wait at once.
    expect: { poll: { timeout: 10_000 } },
  },
});
