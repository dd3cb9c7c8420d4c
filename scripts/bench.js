#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only intake,burst,...]`: build the functions if any source is
// newer than the last build (the local FC runtime runs dist/), then run bench/run.ts with tsx.
// Not part of `npm test`: the full run takes several minutes.
'use strict';
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');
const { buildIfStale } = require('./build-state');

const root = join(__dirname, '..');
const built = buildIfStale();
if (built !== 0) process.exit(built);

const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
