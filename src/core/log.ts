/** libbpf's print levels, as `libbpf_set_print` sees them. */
export type LogLevel = 'warn' | 'info' | 'debug';

export interface LogLine {
  readonly level: LogLevel;
  /** The message as libbpf formats it, without the `libbpf: ` prefix and without the newline. */
  readonly text: string;
}

/**
 * Collects the lines libbpf would print. The engine never prints: logs are data that the caller
 * may show (`corecheck relocate --log`) or keep. A disabled log keeps warnings only (they explain
 * errors, and are rare); hot paths test `enabled` before formatting a debug line (a fleet run
 * checks thousands of kernels and reads no traces).
 */
export class CoreLog {
  readonly lines: LogLine[] = [];
  constructor(readonly enabled = true) {}
  debug(text: string): void {
    if (this.enabled) this.lines.push({ level: 'debug', text });
  }
  warn(text: string): void {
    this.lines.push({ level: 'warn', text });
  }
}
