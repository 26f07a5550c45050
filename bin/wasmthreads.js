#!/usr/bin/env node
// The command-line entry: no logic here, see src/cli/main.ts.
const { start } = require('./start.js');

void start(process.argv.slice(2));
