/**
 * Mutation testing of the safety-critical modules: `npm run mutate` (not part of `npm test`).
 * Only in-process tests run against the mutants: the end-to-end suites run the bundled dist/,
 * which Stryker does not rebuild, so they could not kill a mutant and would only cost time.
 * The score and the surviving mutants are in docs/mutation.md.
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings'],
  checkers: [],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    enableFindRelatedTests: false,
    config: {
      // The suites that exercise these modules in-process.
      testMatch: [
        '<rootDir>/test/inputs.test.ts',
        '<rootDir>/test/input-rules.test.ts',
        '<rootDir>/test/engine.test.ts',
        '<rootDir>/test/exec.test.ts',
        '<rootDir>/test/auth-credentials.test.ts',
        '<rootDir>/test/auth-kubeconfig.test.ts',
        '<rootDir>/test/tools-install.test.ts',
        '<rootDir>/test/chart-cache.test.ts',
        '<rootDir>/test/comment-budget.test.ts',
        '<rootDir>/test/github-comment.test.ts',
        '<rootDir>/test/terraform-phase.test.ts',
        '<rootDir>/test/iap-policy.test.ts',
        '<rootDir>/test/redaction.test.ts',
        '<rootDir>/test/bad-inputs-parse.test.ts'
      ],
      globalSetup: undefined,
      reporters: ['default']
    }
  },
  mutate: [
    'src/input-rules.ts',
    'src/inputs.ts',
    'src/engine/redact.ts',
    'src/engine/secrets.ts',
    'src/auth/external-account.ts',
    'src/auth/authenticate.ts',
    'src/tools/checksum.ts',
    'src/tools/download.ts',
    'src/tools/helm/chart-cache.ts',
    'src/report/comment.ts',
    'src/gcp/iap-policy.ts',
    'src/gcp/backend-services.ts',
    'src/phases/terraform.ts'
  ],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants such as the input rules' patterns) re-run every suite
  // each; they take 90% of the time. `npm run mutate -- --ignoreStatic false` includes them.
  ignoreStatic: true,
  // Messages are asserted by the suites where they matter; mutating every string literal would
  // double the run for little.
  mutator: { excludedMutations: ['StringLiteral'] },
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  concurrency: 2,
  timeoutMS: 60000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always'
};
