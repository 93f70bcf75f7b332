/**
 * When a kernel renames something, the new name is the old one with a small, typical change. These
 * are the changes seen between real kernels' BTF (Debian 5.10, 6.1, 6.12, 7.2), from the most to the
 * least telling:
 *
 *  - underscores added or removed at the start or doubled inside: `task_struct.state` → `__state`,
 *    `blk_mq_tags.__bitmap_tags` → `bitmap_tags`, `trace_event_raw_xen_mc__batch` → `..._mc_batch`;
 *  - letter case only: `enum HV_GENERIC_SET_FORMAT` → `hv_generic_set_format`;
 *  - one or two characters changed at the end: `enum req_opf` → `req_op`, `struct mempool_s` →
 *    `mempool` (a lone plural `s` ranks lower: `foo` and `foos` are often two things);
 *  - one or two characters added or removed elsewhere: `VCPU_EXREG_CR3` → `VCPU_REG_CR3`;
 *  - one `_`-separated word added: `struct rmap_item` → `ksm_rmap_item`;
 *  - one word removed: `blk_queue_stats.enable_accounting` → `accounting`.
 *
 * Anything else (a changed word, two changes) is not a rename: `dentry.d_child` did not become
 * `d_children`, it became `d_sib`. Nor is a change that adds or removes a negation (`NO`, `UN`,
 * `IGNORE`...) or a word of quantity (`num`, `nr`, `count`, `max`...): it changes what the name
 * means, as `BLK_INTEGRITY_VERIFY` → `BLK_INTEGRITY_NOVERIFY` or `num_usb_types` → `usb_types`.
 */
export const Closeness = { UNDERSCORES: 0, CASE: 1, SUFFIX: 2, PLURAL: 3, SHORT_EDIT: 4, WORD_ADDED: 5, WORD_REMOVED: 6 } as const;
export type Closeness = (typeof Closeness)[keyof typeof Closeness];

/**
 * Changes that keep every letter of the name. The weaker ones need the object's own view to back
 * them: without it, `task_struct.trace` would read as renamed to `ptrace`, which it always had.
 */
export const isStrong = (c: Closeness): boolean => c <= Closeness.CASE;

const SHORT_EDIT_MAX = 2;
/** Below this length a one- or two-character edit is most of the name (`cpu` → `cpus` is another field). */
const SHORT_EDIT_MIN_NAME = 4;
const MEANING_CHANGERS = new Set(['no', 'not', 'non', 'un', 'dis', 'ignore', 'num', 'nr', 'cnt', 'count', 'max', 'min']);

/** How `now` is a renamed `old`, or undefined when the names are equal or not close. */
export function closeness(old: string, now: string): Closeness | undefined {
  if (old === now) return undefined;
  if (normalUnderscores(old) === normalUnderscores(now)) return Closeness.UNDERSCORES;
  if (old.toLowerCase() === now.toLowerCase()) return Closeness.CASE;
  const added = now.length > old.length;
  const [short, long] = added ? [old, now] : [now, old];
  const edit = insertedRun(short, long);
  if (edit && edit.run.length <= SHORT_EDIT_MAX && short.length >= SHORT_EDIT_MIN_NAME && !MEANING_CHANGERS.has(edit.run.toLowerCase())) {
    if (!edit.atEnd) return Closeness.SHORT_EDIT;
    return edit.run === 's' ? Closeness.PLURAL : Closeness.SUFFIX;
  }
  const word = insertedWord(short, long);
  if (word !== undefined && !MEANING_CHANGERS.has(word.toLowerCase())) return added ? Closeness.WORD_ADDED : Closeness.WORD_REMOVED;
  return undefined;
}

function normalUnderscores(s: string): string {
  return s.replace(/^_+/, '').replace(/__+/g, '_');
}

/** The characters `long` has in one place beyond `short`, or undefined if it differs otherwise. */
function insertedRun(short: string, long: string): { readonly run: string; readonly atEnd: boolean } | undefined {
  let prefix = 0;
  while (prefix < short.length && short[prefix] === long[prefix]) prefix++;
  if (prefix === short.length) return { run: long.slice(prefix), atEnd: true };
  let suffix = 0;
  while (suffix < short.length - prefix && short[short.length - 1 - suffix] === long[long.length - 1 - suffix]) suffix++;
  return prefix + suffix === short.length ? { run: long.slice(prefix, long.length - suffix), atEnd: false } : undefined;
}

/** The one `_`-separated word `long` has beyond `short`, or undefined. */
function insertedWord(short: string, long: string): string | undefined {
  const a = short.split('_');
  const b = long.split('_');
  if (b.length !== a.length + 1) return undefined;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (b[i] === '' || a.slice(i).join('_') !== b.slice(i + 1).join('_')) return undefined;
  return b[i];
}

export interface ClosestOptions<T> {
  /** Whether a candidate this close may be the successor (all may by default). */
  readonly accept?: (closeness: Closeness, c: T) => boolean;
  /** Among candidates tied at the best closeness, the one this accepts (an enumerator of the same value). */
  readonly preferred?: (c: T) => boolean;
  /**
   * Other old names that went missing too. When one of them is at least as close to the chosen
   * candidate (`latch_status` and `adapter_status` both near `status`), which one it replaced is a
   * guess: no candidate.
   */
  readonly rivals?: Iterable<string>;
}

/**
 * The one candidate closest to `old`. Undefined when none is close, or when the best are tied and
 * `preferred` does not single one out: a guess between equals would as often be wrong as right.
 */
export function closest<T>(old: string, candidates: Iterable<T>, nameOf: (c: T) => string,
  options: ClosestOptions<T> = {}): { readonly item: T; readonly closeness: Closeness } | undefined {
  let best: T[] = [];
  let bestRank: Closeness | undefined;
  for (const c of candidates) {
    const rank = closeness(old, nameOf(c));
    if (rank === undefined || (options.accept && !options.accept(rank, c)) || (bestRank !== undefined && rank > bestRank)) continue;
    if (rank !== bestRank) best = [];
    bestRank = rank;
    best.push(c);
  }
  if (best.length > 1 && options.preferred) best = best.filter(options.preferred);
  if (best.length !== 1 || bestRank === undefined) return undefined;
  const name = nameOf(best[0]);
  for (const rival of options.rivals ?? []) {
    const rank = rival === old ? undefined : closeness(rival, name);
    if (rank !== undefined && rank <= bestRank) return undefined;
  }
  return { item: best[0], closeness: bestRank };
}
