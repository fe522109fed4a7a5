import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // every SBI exchange of our NFs checked against the OpenAPI schemas (test/helpers/sbi-schema.ts)
    setupFiles: ['test/helpers/sbi-schema-setup.ts'],
    // Whole-procedure tests bind real loopback sockets; keep the pool small on 2 cores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Test files share their worker process (docs/decisions.md, "Test-suite speed"): each file no
    // longer starts a process, imports the emulator again and compiles the OpenAPI validators
    // again. Every file starts its own network on its own addresses and stops it in afterAll.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
