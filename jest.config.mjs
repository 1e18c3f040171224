// Nest 12 ships ESM only, so Jest runs in native ESM mode (NODE_OPTIONS=--experimental-vm-modules, Node >= 24.9).
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@dual-stream/nestjs$': '<rootDir>/libs/dual-stream/src/index.ts',
    '^@app/service-kit$': '<rootDir>/libs/service-kit/src/index.ts',
    '^@dual-stream/client$': '<rootDir>/libs/client/src/index.ts',
    // Sources import siblings with a `.js` suffix (NodeNext); map them back to the `.ts` files.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  // .infra/ holds the local broker and the services bench's baseline checkouts (another copy of this package).
  modulePathIgnorePatterns: ['<rootDir>/.infra/'],
};

export default {
  // Integration tests wait on a real broker (group joins, rebalances); a slow CI core needs headroom.
  testTimeout: 120000,
  // `npm test` passes --coverage: V8's own counters (no instrumentation pass, so the suite runs at its usual speed),
  // over the library's sources. text-summary prints the totals at the end of the run; json-summary writes
  // coverage/coverage-summary.json for tools. coverage/ is gitignored.
  coverageProvider: 'v8',
  collectCoverageFrom: ['libs/dual-stream/src/**/*.ts', '!**/*.spec.ts', '!**/*.d.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts', '<rootDir>/apps/*/test/**/*.int-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
    },
    {
      // Each file starts its own 3-node Kafka or Redis Cluster; `npm run test:cluster` (not yet in `npm test`).
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.mjs',
      globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
    },
  ],
};
