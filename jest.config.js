/**
 * Unit tests run without I/O; integration, e2e and reliability tests share one real Elasticsearch
 * started by globalSetup (reliability also starts clusters of its own to kill and restart).
 */
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
      // the randomized fault-schedule test: `npm run test:chaos` (a killable cluster of its own, no global setup)
      displayName: 'chaos',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/tests/chaos/**/*.test.ts'],
      slowTestThreshold: 300,
    },
  ],
};
