#!/usr/bin/env node
// `npm start`: build if any source is newer than the last build, then run the local cloud
// (RAM/STS/ECS/MNS/FC + the functions from s.yaml) in this process. Arguments pass through:
// `npm start -- --port 9500 --fresh`.
'use strict';
const { join } = require('node:path');
const { buildIfStale } = require('./build-state');

const root = join(__dirname, '..');
const status = buildIfStale();
if (status !== 0) process.exit(status);

require(join(root, 'dist', 'local', 'main.js'));
