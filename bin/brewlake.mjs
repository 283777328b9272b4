#!/usr/bin/env node
// The published command runs the TypeScript sources through tsx, so `npx brewlake` works
// straight after `npm ci` with no build step to forget.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run under Node 20 that future releases will need Node 22 (the
// Lambdas already run 22). Said once in the README; here it would bury the command's output.
// The SDK's own switch, so worker threads and child processes inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../cli/main.ts');
