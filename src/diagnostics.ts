// Diagnostics: one record for every error, warning and note wasmthreads reports, rendered the way
// lld renders its own (`wasmthreads: error: a.o: message`, `>>> ` continuation lines, a hint).
// Library code never prints or exits; it throws `WasmthreadsError` (which carries one or more
// diagnostics) and the CLI renders them. Decode errors always carry the absolute byte offset.

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `decode`, `undefined-symbol`, `feature-conflict`. */
  code: string;
  message: string;
  /** The file the diagnostic is about (archive members as `lib.a(member.o)`). */
  file?: string;
  /** Absolute byte offset into `file`, for decode errors. */
  offset?: number;
  symbol?: string;
  /** Continuation lines, rendered as `>>> ...` (lld style). */
  notes?: string[];
  /** How to fix it, rendered as `hint: ...`. */
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  let head = `wasmthreads: ${d.severity}: `;
  if (d.file !== undefined) head += `${printable(d.file)}: `;
  head += printable(d.message);
  if (d.offset !== undefined) head += ` (at offset 0x${d.offset.toString(16)})`;
  const lines = [head];
  for (const n of d.notes ?? []) lines.push(`>>> ${printable(n)}`);
  if (d.hint !== undefined) lines.push(`hint: ${printable(d.hint)}`);
  return lines.join('\n');
}

/**
 * Control characters written `\xNN`. Diagnostics quote names read from the inputs (symbols,
 * sections, imports, archive members), and a corrupt or hostile file can put any byte in a name: a
 * newline would split the diagnostic's line, an escape sequence would drive the terminal.
 */
function printable(s: string): string {
  return s.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** An error carrying diagnostics; the only kind of error library code throws on bad input. */
export class WasmthreadsError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map(formatDiagnostic).join('\n'));
    this.name = 'WasmthreadsError';
    this.diagnostics = list;
  }
}

/** A malformed or truncated binary: names the file and the absolute offset of the bad byte. */
export class DecodeError extends WasmthreadsError {
  constructor(message: string, file: string | undefined, offset: number) {
    super({ severity: 'error', code: 'decode', message, file, offset });
    this.name = 'DecodeError';
  }
}

/**
 * Collects diagnostics within a phase; `checkpoint()` throws if any error was reported, so the
 * user sees every duplicate symbol at once (lld `errorCount()`, mold `checkpoint()`).
 */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];
  error(d: Omit<Diagnostic, 'severity'>): void {
    this.diagnostics.push({ severity: 'error', ...d });
  }
  warn(d: Omit<Diagnostic, 'severity'>): void {
    this.diagnostics.push({ severity: 'warning', ...d });
  }
  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }
  warnings(): Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === 'warning');
  }
  checkpoint(): void {
    if (this.errorCount > 0) throw new WasmthreadsError(this.diagnostics.filter((d) => d.severity === 'error'));
  }
}
