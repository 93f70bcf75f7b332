/**
 * A minimal POSIX ustar writer: the one-file archives BTFHub ships (`<kernel>.btf` in a tar).
 * Names up to 100 bytes (a kernel release is far shorter); longer ones are refused rather than
 * cut, so an archive never names a different file than asked.
 */

const BLOCK = 512;

export interface TarEntry {
  readonly name: string;
  readonly data: Uint8Array;
  /** Modification time, seconds since the epoch. */
  readonly mtime: number;
  /** Permission bits (0o644 by default). */
  readonly mode?: number;
}

/** A tar of regular files, in order, ending in the two zero blocks readers look for. */
export function ustar(entries: readonly TarEntry[]): Uint8Array {
  const size = entries.reduce((n, e) => n + BLOCK + Math.ceil(e.data.length / BLOCK) * BLOCK, 2 * BLOCK);
  const out = new Uint8Array(size);
  let at = 0;
  for (const e of entries) {
    out.set(header(e), at);
    out.set(e.data, at + BLOCK);
    at += BLOCK + Math.ceil(e.data.length / BLOCK) * BLOCK;
  }
  return out;
}

function header(e: TarEntry): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const name = new TextEncoder().encode(e.name);
  if (name.length > 100) throw new RangeError(`tar member name longer than 100 bytes: ${e.name}`);
  h.set(name, 0);
  octal(h, 100, 8, e.mode ?? 0o644);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, e.data.length);
  octal(h, 136, 12, Math.max(0, Math.floor(e.mtime)));
  h.fill(0x20, 148, 156); // the checksum is summed with its own field as spaces
  h[156] = 0x30; // '0': regular file
  ascii(h, 257, 'ustar\0');
  ascii(h, 263, '00');
  ascii(h, 265, 'root');
  ascii(h, 297, 'root');
  const sum = h.reduce((s, x) => s + x, 0);
  octal(h, 148, 7, sum);
  h[155] = 0x20;
  return h;
}

/** A zero-padded octal number ending in NUL, filling `width` bytes. */
function octal(h: Uint8Array, at: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) throw new RangeError(`tar field at ${at} cannot hold ${value}`);
  ascii(h, at, digits + '\0');
}

function ascii(h: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) h[at + i] = text.charCodeAt(i);
}
