const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/**
 * FNV-1a (64-bit) of the parts joined by NUL, over UTF-16 code units (low byte, then high), as 16
 * hex digits. Pure and deterministic, for identities that must not change between runs (SARIF
 * `partialFingerprints`); not for anything an adversary chooses.
 */
export function fingerprint(...parts: readonly string[]): string {
  let h = FNV_OFFSET;
  const text = parts.join('\0');
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    h = ((h ^ BigInt(unit & 0xff)) * FNV_PRIME) & MASK;
    h = ((h ^ BigInt(unit >>> 8)) * FNV_PRIME) & MASK;
  }
  return h.toString(16).padStart(16, '0');
}
