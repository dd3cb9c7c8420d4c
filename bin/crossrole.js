#!/usr/bin/env node
// Entry point of the `crossrole` command (npx crossrole / npm run cli --). Builds on first use.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

// `crossrole ... | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const cli = join(__dirname, '..', 'dist', 'cli', 'index.js');
if (!existsSync(cli)) {
  const r = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.js'), '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// run() resolves once stdout and stderr have drained: exiting earlier would cut piped output at
// the 64 KiB pipe buffer. The fallback below waits for its own write the same way.
require(cli).run(process.argv).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e && e.message ? e.message : e}\n`, () => process.exit(1));
  },
);
