#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only intake,burst,...]`: build the functions if any source is
// newer than the last build (the local FC runtime runs dist/), then run bench/run.ts with tsx.
// Not part of `npm test`: the full run takes several minutes.
'use strict';
const { statSync, readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');

function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

function needsBuild() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return ['functions', 'shared', 'local', 's.yaml', 'package-lock.json'].some((p) => newest(join(root, p)) > built);
}

if (needsBuild()) {
  process.stdout.write('Building (sources changed since the last build)...\n');
  const r = spawnSync(process.execPath, [join(__dirname, 'build.js'), '--quiet'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
