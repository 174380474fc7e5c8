import { defineConfig } from 'vitest/config';

// unit: no services (tools-setup installs Debian's prometheus for promtool when missing). integration: one local stack per run (tests/global-setup.ts), files one
// after another because they share that stack and the machine has two cores.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/dev/**/*.test.ts'], globalSetup: ['tests/tools-setup.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/tools-setup.ts', 'tests/global-setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
