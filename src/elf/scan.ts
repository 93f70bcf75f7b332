import { CorecheckError } from '../common/errors.js';
import { EM_BPF, ElfFile } from './elf.js';

export interface EmbeddedElf {
  /** Offset of the embedded ELF within the scanned file. */
  readonly offset: number;
  /** Bytes it spans according to its own headers. */
  readonly size: number;
}

/**
 * Finds BPF ELF objects embedded in another file (libbpf skeletons in C binaries, `go:embed`,
 * Rust `include_bytes!`): every `\x7fELF` whose header says 64-bit EM_BPF and whose section table
 * fits in the file. An object's extent comes from its headers, so scanning resumes after it.
 */
export function findEmbeddedBpfObjects(bytes: Uint8Array): EmbeddedElf[] {
  const found: EmbeddedElf[] = [];
  let pos = 0;
  for (;;) {
    const at = bytes.indexOf(0x7f, pos);
    if (at < 0 || at + 64 > bytes.length) break;
    pos = at + 1;
    if (bytes[at + 1] !== 0x45 || bytes[at + 2] !== 0x4c || bytes[at + 3] !== 0x46) continue;
    if (bytes[at + 4] !== 2) continue; // ELFCLASS64
    const le = bytes[at + 5] === 1;
    if (!le && bytes[at + 5] !== 2) continue;
    const machine = le ? bytes[at + 18] | (bytes[at + 19] << 8) : (bytes[at + 18] << 8) | bytes[at + 19];
    if (machine !== EM_BPF) continue;
    try {
      const elf = new ElfFile(bytes.subarray(at));
      found.push({ offset: at, size: elf.extent });
      pos = at + Math.max(elf.extent, 1);
    } catch (e) {
      // A header-shaped byte run that is not a whole object: keep scanning.
      if (!(e instanceof CorecheckError)) throw e;
    }
  }
  return found;
}
