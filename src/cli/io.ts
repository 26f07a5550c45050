// The CLI's view of the outside world, so subcommands can be tested without a process.

export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
  /** Ends the process at once with `code` (the bin entry passes `process.exit`; tests pass nothing). */
  endProcess?(code: number): void;
}

/** A subcommand: parses its own argv, returns the exit code. Never calls process.exit. */
export interface Command {
  name: string;
  /** Full `--help` text. */
  usage(): string;
  run(argv: string[], io: CliIO): Promise<number>;
  /**
   * The CLI ends the process right after this command (through `CliIO.endProcess`): a guest may
   * leave handles behind (a read pending on stdin) that would otherwise keep Node alive.
   */
  endsProcess?: boolean;
}
