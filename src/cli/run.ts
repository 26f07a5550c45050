// PLACEHOLDER — being written; replace this whole file.
import type { Command } from './io.js';

export const runCommand: Command = {
  name: 'run',
  summary: '(in development)',
  usage: () => 'usage: wasmthreads run …',
  async run(_argv, io) {
    io.stderr('wasmthreads: error: run is not built yet\n');
    return 1;
  },
};
