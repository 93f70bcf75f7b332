import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Reference BTF from a real kernel image by the system's tools, independent of corecheck's readers:
 * used by the image tests and the package tests.
 */

/**
 * The ELF vmlinux in a bzImage, located by the boot protocol (setup_sects at 0x1f1, payload_offset
 * and payload_length at 0x248/0x24c) and decompressed by the system tool into `outDir`. The build
 * appends the decompressed size as four bytes, which the tools would take for a second stream: they
 * are left out.
 */
export function systemVmlinux(img: string, tool: 'xz' | 'lz4' | 'zstd', outDir: string): string {
  const b = readFileSync(img);
  const start = ((b[0x1f1] || 4) + 1) * 512 + b.readUInt32LE(0x248);
  const payload = b.subarray(start, start + b.readUInt32LE(0x24c) - 4);
  const out = join(outDir, `${basename(img)}.${tool}.vmlinux`);
  writeFileSync(out, execFileSync(tool, ['-dc'], { input: payload, maxBuffer: 1 << 30 }));
  assert.equal(readFileSync(out).subarray(0, 4).toString('latin1'), '\x7fELF');
  return out;
}

/** The `.BTF` section of an ELF, by objcopy. */
export function objcopyBtf(elf: string): Buffer {
  const out = `${elf}.btf`;
  execFileSync('objcopy', ['-O', 'binary', '--only-section=.BTF', elf, out]);
  return readFileSync(out);
}
