import { CorecheckError, fail } from '../common/errors.js';
import { EM_BPF, isElf } from '../elf/elf.js';
import { findEmbeddedBpfObjects } from '../elf/scan.js';
import { BpfObject } from './object.js';

export interface LocatedObject {
  /** `file` for a plain object, `file@0x1234` for one embedded in another file. */
  readonly name: string;
  /** Offset of the object within the file (0 for a plain object). */
  readonly offset: number;
  readonly size: number;
  readonly embedded: boolean;
  readonly object: BpfObject;
  /**
   * e_machine of the ELF file an embedded object was found in (a libbpf skeleton, Go or Rust
   * binary): the architecture the object was presumably built for. Absent for plain objects and
   * for containers that are not ELF.
   */
  readonly hostMachine?: number;
  /** Byte order of that ELF file (EM_PPC64 is ppc64le or ppc64 by it). */
  readonly hostLittleEndian?: boolean;
}

/**
 * Opens every BPF object a file holds: the file itself when it is a BPF ELF object, otherwise each
 * object embedded in it (skeleton binaries, Go and Rust programs). `name` labels errors and results.
 */
export function openBpfObjects(bytes: Uint8Array, name: string): LocatedObject[] {
  return CorecheckError.inFile(name, 0, () => locateObjects(bytes, name));
}

function locateObjects(bytes: Uint8Array, name: string): LocatedObject[] {
  if (bytes.length === 0) fail('MALFORMED', 'file', 0, 'file is empty');
  if (isElf(bytes) && bytes.length >= 20 && isBpfMachine(bytes)) {
    const object = new BpfObject(bytes);
    return [{ name, offset: 0, size: object.elf.extent, embedded: false, object }];
  }
  const found = findEmbeddedBpfObjects(bytes);
  if (found.length === 0) {
    if (isElf(bytes) && bytes.length >= 20) {
      throw new CorecheckError('NOT_FOUND', 'ELF header e_machine', 18,
        `e_machine is ${machineOf(bytes)}, not ${EM_BPF} (EM_BPF), and no BPF object is embedded in the file`, name);
    }
    throw new CorecheckError('NOT_FOUND', 'file', 0, 'not a BPF ELF object (no \\x7fELF magic) and no BPF object is embedded in it', name);
  }
  const host = isElf(bytes) && bytes.length >= 20 ? { hostMachine: machineOf(bytes), hostLittleEndian: bytes[5] !== 2 } : {};
  return found.map(({ offset, size }) => {
    const label = `${name}@0x${offset.toString(16)}`;
    const object = new BpfObject(bytes.subarray(offset, offset + size), offset);
    return { name: label, offset, size, embedded: true, object, ...host };
  });
}

function machineOf(b: Uint8Array): number {
  return b[5] === 2 ? (b[18] << 8) | b[19] : b[18] | (b[19] << 8);
}

function isBpfMachine(b: Uint8Array): boolean {
  return machineOf(b) === EM_BPF;
}
