import { dumpRaw } from '../../btf/dump-raw.js';
import { dumpC } from '../../btf/dump-c.js';
import { dumpJson } from '../../btf/dump-json.js';
import { loadKernelBtf } from '../../kernels/index.js';
import { writeOut } from '../io.js';

export interface BtfDumpOptions {
  readonly format: 'raw' | 'c' | 'json';
  readonly base?: string;
}

/** `corecheck btf dump <source>`: the same text bpftool prints, from any BTF source corecheck reads. */
export async function runBtfDump(source: string, opts: BtfDumpOptions): Promise<void> {
  const { btf } = await loadKernelBtf(source, { base: opts.base });
  const write = (chunk: string): void => writeOut(chunk, 'latin1');
  if (opts.format === 'raw') dumpRaw(btf, write);
  else if (opts.format === 'c') dumpC(btf, write);
  else dumpJson(btf, write);
}
