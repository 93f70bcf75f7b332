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
