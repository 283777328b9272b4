import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{bench,cli,glue,lambdas,local,model,stacks,test,verify}/**/*.test.ts'],
    // The suite starts real servers (kinesalite, PunkAPI, DuckDB, Chromium): give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: more workers only thrash.
    maxWorkers: 2,
    // The AWS SDK's notice that it will need Node 22 from 2027 (the README says it once), which
    // every worker and child process would print again.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // CLI tests run the real binary: build it once, before any of them starts it.
    globalSetup: ['test/build-cli.setup.ts'],
  },
});
