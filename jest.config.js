/**
 * Unit tests run without I/O; integration, e2e and reliability tests share one real Elasticsearch
 * started by globalSetup (reliability also starts clusters of its own to kill and restart).
 */
/**
 * The compatibility suite every engine runs (besides tests/engines): doctor and `_field_caps`, every
 * shipped rule on its attack and on normal traffic, dedup on a second scan, a monitor delivering to
 * a real SMTP server, ingest, the report, and the state and alerts indices.
 */
const ENGINE_SUITE = [
  'integration/cli-json',
  'integration/engine/shipped-rules',
  'integration/engine/composite-paging',
  'integration/state/dedup',
  'integration/state/catch-up',
  'integration/monitor/monitor-cycles',
  'integration/notify/outbox-email',
  'e2e/ingest-detect',
  'integration/report/report',
];
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
module.exports = {
  // integration tests start processes and wait for a real cluster; unit tests finish far sooner
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts', '<rootDir>/tests/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/global-setup.js',
      globalTeardown: '<rootDir>/tests/helpers/global-teardown.js',
      slowTestThreshold: 30,
    },
    {
      // fault injection, fuzzing, hostile content: `npm run test:reliability` (not part of `npm test`)
      displayName: 'reliability',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/reliability/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/global-setup.js',
      globalTeardown: '<rootDir>/tests/helpers/global-teardown.js',
      slowTestThreshold: 60,
    },
    {
      // `npm run test:engines`: what users do, on each engine VIGIL_ENGINE names (scripts/test-engines.js)
      displayName: 'engines',
      testEnvironment: 'node',
      transform,
      testMatch: [
        '<rootDir>/tests/engines/**/*.test.ts',
        ...ENGINE_SUITE.map((f) => `<rootDir>/tests/${f}.test.ts`),
      ],
      globalSetup: '<rootDir>/tests/helpers/global-setup.js',
      globalTeardown: '<rootDir>/tests/helpers/global-teardown.js',
      slowTestThreshold: 60,
    },
    {
      // the randomized fault-schedule test: `npm run test:chaos` (a killable cluster of its own, no global setup)
      displayName: 'chaos',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/chaos/**/*.test.ts'],
      slowTestThreshold: 300,
    },
  ],
};
