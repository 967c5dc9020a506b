#!/usr/bin/env node
// Entry point of `npm run test:faults [-- --full] [-- --only kill9,powercut]`: runs the fault suite
// (tests/faults/suite.ts) under tsx and passes its exit code on.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const suite = fileURLToPath(new URL('../../tests/faults/suite.ts', import.meta.url));
const r = spawnSync(process.execPath, ['--import', 'tsx', suite, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
