import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Unit tests sit beside the code (src/**/*.test.ts); integration and browser tests under test/.
// Two cores: a few files at a time, each with its own app instance and database. The global setup
// makes once what every app would make at its start (test/support/template.ts).
const shared = { environment: 'node', testTimeout: 60_000, hookTimeout: 120_000 } as const;
const project = (name: string, include: string, isolate = true): TestProjectInlineConfiguration => ({ test: { ...shared, name, include: [include], isolate } });

// The unit tests never read DATABASE_URL (those that need a database open an in-memory PGlite of
// their own), so with DATABASE_URL — CI's PostgreSQL run — they would only repeat the other run:
// that run leaves them out and says so. `npm test` without it runs all three projects.
const sharedDatabase = Boolean(process.env['DATABASE_URL']);
if (sharedDatabase) console.warn('unit tests: run in the run without DATABASE_URL (they use no shared database)');

export default defineConfig({
  test: {
    ...shared,
    maxWorkers: 2,
    reporters: ['default'],
    globalSetup: ['test/global-setup.ts'],
    projects: [
      ...(sharedDatabase ? [] : [project('unit', 'src/**/*.test.ts', false)]),
      project('integration', 'test/integration/**/*.test.ts', false),
      project('e2e', 'test/e2e/**/*.test.ts', false),
    ],
  },
});
