// PLACEHOLDER — being written; replace this whole file.
import type { Command } from './io.js';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: '(in development)',
  usage: () => 'usage: wasmthreads inspect …',
  async run(_argv, io) {
    io.stderr('wasmthreads: error: inspect is not built yet\n');
    return 1;
  },
};
