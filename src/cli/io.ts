// The CLI's view of the outside world, so subcommands can be tested without a process.

export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
}

/** A subcommand: parses its own argv, returns the exit code. Never calls process.exit. */
export interface Command {
  name: string;
  summary: string;
  /** Full `--help` text. */
  usage(): string;
  run(argv: string[], io: CliIO): Promise<number>;
}
