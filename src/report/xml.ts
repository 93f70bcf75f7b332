/**
 * Escaping for XML 1.0 text and attribute values. Characters XML 1.0 cannot hold at all (C0
 * controls but tab, newline and carriage return; lone surrogates; U+FFFE, U+FFFF) become U+FFFD:
 * a parser rejects the whole document for one of them, even escaped as a character reference.
 */
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&apos;' };

export function escapeXmlText(s: string): string {
  return s.replace(INVALID, '\ufffd').replace(/[&<>]/g, (c) => ENTITIES[c]);
}

/** Also quotes, and keeps tab, newline and carriage return, which attribute normalization turns into spaces. */
export function escapeXmlAttr(s: string): string {
  return s.replace(INVALID, '\ufffd').replace(/[&<>"']/g, (c) => ENTITIES[c])
    .replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
