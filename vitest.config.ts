import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{cli,glue,lambdas,local,model,stacks,test,verify}/**/*.test.ts'],
    // The suite starts real servers (kinesalite, PunkAPI, DuckDB, Chromium): give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: more workers only thrash.
    maxWorkers: 2,
  },
});
