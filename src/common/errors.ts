/**
 * The one error type corecheck raises for bad input. It carries a stable code, the structure being
 * read and the byte offset in the file, so the CLI can print one line a user can act on
 * (`file: structure at offset N: message`) instead of a stack trace.
 */
export type ErrorCode =
  | 'TRUNCATED' // a structure runs past the end of its container
  | 'BAD_MAGIC' // not the format we were told to expect
  | 'UNSUPPORTED' // a valid file of a kind or version corecheck does not read
  | 'MALFORMED' // a field holds a value the format forbids
  | 'NOT_FOUND' // a file, section, member or kernel that was asked for is absent
  | 'NO_BTF' // a kernel (image, ELF, payload) that carries no BTF: built without CONFIG_DEBUG_INFO_BTF
  | 'USAGE'; // wrong command-line usage

export class CorecheckError extends Error {
  override readonly name = 'CorecheckError';
  constructor(
    readonly code: ErrorCode,
    /** What was being read, e.g. `BTF type [12] STRUCT member 3` or `ELF section header 7`. */
    readonly structure: string,
    /** Byte offset of that structure in `file` (absolute), or -1 when no offset applies. */
    readonly offset: number,
    readonly detail: string,
    /** The file (or archive member) the bytes came from; filled in by whoever knows it. */
    public file?: string,
  ) {
    super(detail);
  }

  /** One line: `file: structure at offset 1234 (0x4d2): detail`. */
  format(): string {
    const where = this.offset >= 0 ? ` at offset ${this.offset} (0x${this.offset.toString(16)})` : '';
    const file = this.file ? `${this.file}: ` : '';
    return `${file}${this.structure}${where}: ${this.detail}`;
  }

  /** Re-raise with the file name attached (outermost caller knows the path) and offsets shifted by `base`. */
  static inFile<T>(file: string, base: number, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof CorecheckError) throw e.relocated(file, base);
      throw e;
    }
  }

  /** `inFile` for work that awaits (reading an archive, decompressing a package). */
  static async inFileAsync<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CorecheckError) throw e.relocated(file, 0);
      throw e;
    }
  }

  relocated(file: string, base: number): CorecheckError {
    if (this.file !== undefined) return this;
    const shifted = this.offset >= 0 ? this.offset + base : this.offset;
    return new CorecheckError(this.code, this.structure, shifted, this.detail, file);
  }
}

export function fail(code: ErrorCode, structure: string, offset: number, detail: string): never {
  throw new CorecheckError(code, structure, offset, detail);
}
