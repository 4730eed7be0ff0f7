#!/usr/bin/env node
// The installed `azo` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs as `prepare`).
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
