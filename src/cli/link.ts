// PLACEHOLDER — being written; replace this whole file.
import type { Command } from './io.js';

export const linkCommand: Command = {
  name: 'link',
  summary: '(in development)',
  usage: () => 'usage: wasmthreads link …',
  async run(_argv, io) {
    io.stderr('wasmthreads: error: link is not built yet\n');
    return 1;
  },
};
