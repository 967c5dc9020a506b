// Marks the CLI entry point executable after tsc, so `npx qinhe` and the systemd unit can run it directly.
import { chmodSync, existsSync } from 'node:fs';
const entry = new URL('../dist/runtime/cli/main.js', import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);
