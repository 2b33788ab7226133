import { defineConfig } from 'vitest/config';

// The integration suite runs twice: on embedded PGlite and on the PostgreSQL server (TEST_DATABASE_URL, default the
// local server on 127.0.0.1:5432). Each test file makes and drops its own database. Then the end-to-end tests drive
// Debian's Chromium against the built web app.
const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const projects = process.env.TEST_PROJECTS?.split(',') ?? ['pglite', 'postgres', 'e2e'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'pglite',
          // web/src unit tests: the web app's pure helpers (route guard, address state), no browser needed.
          include: ['tests/integration/**/*.test.ts', 'api/src/**/*.test.ts', 'web/src/**/*.test.ts'],
          env: { TEST_DB: 'pglite' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: ['tests/integration/**/*.test.ts'],
          env: { TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ].filter((p) => projects.includes(p.test.name)),
  },
});
