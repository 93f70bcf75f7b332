/**
 * Orders kernel releases as people read them: `4.18.0-147.5.1.el8_1` < `4.19.90-24.4` < `5.10.0-32`
 * < `6.12.117+deb12`. The numbers of the release are compared in turn; the text between them
 * (distro suffixes) only breaks ties.
 */
export function compareKernelVersions(a: string, b: string): number {
  const na = numbersOf(a);
  const nb = numbersOf(b);
  for (let i = 0; i < Math.min(na.length, nb.length); i++) if (na[i] !== nb[i]) return na[i] - nb[i];
  return na.length - nb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A version's numbers, parsed once per string: a report sorts thousands of (object, kernel) pairs by them. */
const parsed = new Map<string, readonly number[]>();
function numbersOf(v: string): readonly number[] {
  let n = parsed.get(v);
  if (!n) parsed.set(v, (n = (v.match(/\d+/g) ?? []).map(Number)));
  return n;
}

/** `5.10` of `5.10.0-32-amd64`: what a person calls the release. */
export function majorMinor(v: string): string {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? `${m[1]}.${m[2]}` : v;
}
