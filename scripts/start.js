#!/usr/bin/env node
// `npm start`: build if any source is newer than the last build, then run the local cloud
// (RAM/STS/ECS/MNS/FC + the functions from s.yaml) in this process. Arguments pass through:
// `npm start -- --port 9500 --fresh`.
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
  return ['functions', 'shared', 'local', 'cli', 's.yaml', 'package-lock.json'].some((p) => newest(join(root, p)) > built);
}

if (needsBuild()) {
  process.stdout.write('Building (sources changed since the last build)...\n');
  const r = spawnSync(process.execPath, [join(__dirname, 'build.js'), '--quiet'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

require(join(root, 'dist', 'local', 'main.js'));
