/**
 * libbpf's `bpf_core_essential_name_len`: a name's length without its flavor suffix. The separator is
 * the last `X___Y` where X and Y are not underscores, so `task_struct___v2` → `task_struct`,
 * `a___b___c` → `a___b`, and `x___`, `a____b` keep their whole length.
 */
export function essentialNameLength(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') return i + 1;
  }
  return name.length;
}

export function essentialName(name: string): string {
  return name.slice(0, essentialNameLength(name));
}

/** The same rule on a NUL-terminated name in a byte array. */
export function essentialLengthAt(b: Uint8Array, start: number): number {
  let n = 0;
  while (b[start + n] !== 0) n++;
  for (let i = n - 5; i >= 0; i--) {
    const p = start + i;
    if (b[p] !== 0x5f && b[p + 1] === 0x5f && b[p + 2] === 0x5f && b[p + 3] === 0x5f && b[p + 4] !== 0x5f) return i + 1;
  }
  return n;
}
