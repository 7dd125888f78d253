import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Unit tests sit beside the code (src/**/*.test.ts); integration and browser tests under test/.
// Two cores: a few files at a time, each with its own app instance and database. The global setup
// makes once what every app would make at its start (test/support/template.ts).
const shared = { environment: 'node', testTimeout: 60_000, hookTimeout: 120_000 } as const;
const project = (name: string, include: string, isolate = true): TestProjectInlineConfiguration => ({ test: { ...shared, name, include: [include], isolate } });

// The PostgreSQL run (DATABASE_URL: CI's second phase) runs what the database under the server
// changes: every integration test, and of the browser tests the manual's whole enterprise path
// (journey-enterprise: 申请 to 已完成 through every role's pages). The unit tests never read
// DATABASE_URL (those that need a database open an in-memory PGlite of their own), and the other
// browser tests check what pages show and how a person walks them, over the same routes the
// integration tests drive on PostgreSQL: there they would only repeat the PGlite run, at two
// thirds of the phase's time. `npm test` without DATABASE_URL runs all three projects whole.
const sharedDatabase = Boolean(process.env['DATABASE_URL']);
const E2E_ON_SHARED_DATABASE = 'test/e2e/journey-enterprise.test.ts';
if (sharedDatabase) {
  console.warn(`DATABASE_URL: unit tests and the browser tests but ${E2E_ON_SHARED_DATABASE} run in the run without it (they repeat it whatever the database)`);
}

export default defineConfig({
  test: {
    ...shared,
    maxWorkers: 2,
    reporters: ['default'],
    globalSetup: ['test/global-setup.ts'],
    projects: [
      ...(sharedDatabase ? [] : [project('unit', 'src/**/*.test.ts', false)]),
      project('integration', 'test/integration/**/*.test.ts', false),
      project('e2e', sharedDatabase ? E2E_ON_SHARED_DATABASE : 'test/e2e/**/*.test.ts', false),
    ],
  },
});
