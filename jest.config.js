/** Tests run as ESM under the Node 24 that npm puts first on PATH (devDependency `node`). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }]
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  reporters: ['default', '<rootDir>/test/support/tally-reporter.mjs'],
  testTimeout: 120000,
  maxWorkers: 2
};
