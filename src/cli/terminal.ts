/**
 * Colour only where a person reads it: a TTY, unless NO_COLOR is set (https://no-color.org);
 * FORCE_COLOR turns it on anywhere (CI logs that render ANSI), and FORCE_COLOR=0 off.
 */
export function useColor(stream: { readonly isTTY?: boolean }): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
