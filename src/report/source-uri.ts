/**
 * File paths from an object's line info (and object paths) as SARIF artifact locations. Paths in
 * `.BTF.ext` are what the compiler was given: `./openat2.bpf.c` relative to where it ran, or
 * absolute (`/build/bcc/libbpf-tools/./core_fixes.bpf.h`). Code scanning wants URIs relative to the
 * repository root, named by the `%SRCROOT%` base id; `sourceRoot` is the directory it stands for.
 */
export const SRCROOT = '%SRCROOT%';

export interface ArtifactLocation {
  readonly uri: string;
  readonly uriBaseId?: string;
}

interface SplitPath {
  readonly absolute: boolean;
  /** `C:` for a Windows path, else empty. */
  readonly drive: string;
  readonly segments: readonly string[];
}

/** Splits on either slash and resolves `.` and `..` (an absolute path cannot climb above its root). */
function splitPath(path: string): SplitPath {
  const p = path.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(p) ? p.slice(0, 2) : '';
  const absolute = drive !== '' || p.startsWith('/');
  const segments: string[] = [];
  for (const s of p.slice(drive.length).split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..' && segments.length > 0 && segments[segments.length - 1] !== '..') segments.pop();
    else if (s !== '..' || !absolute) segments.push(s);
  }
  return { absolute, drive, segments };
}

const encode = (segments: readonly string[]): string => segments.map(encodeURIComponent).join('/');

/** `file:///abs/path` (with a trailing slash for a directory). */
function fileUri(p: SplitPath, directory: boolean): string {
  const body = encode(p.segments);
  return `file:///${p.drive}${p.drive && body ? '/' : ''}${body}${directory && body ? '/' : ''}`;
}

/** `path` relative to `root` when it lies under it (both split), else null. */
function under(root: SplitPath, path: SplitPath): readonly string[] | null {
  if (root.absolute !== path.absolute || root.drive.toLowerCase() !== path.drive.toLowerCase()) return null;
  if (root.segments.includes('..') || root.segments.length > path.segments.length) return null;
  return root.segments.every((s, i) => s === path.segments[i]) ? path.segments.slice(root.segments.length) : null;
}

/**
 * A source file named by line info. Relative paths are taken as relative to `sourceRoot` (the
 * compiler's working directory is not recorded); absolute ones under it are made relative; any
 * other absolute path stays an absolute `file:` URI, which code scanning cannot place in the
 * repository but which still says where the line is.
 */
export function sourceFileLocation(file: string, sourceRoot: string): ArtifactLocation {
  const p = splitPath(file);
  if (!p.absolute) return { uri: encode(p.segments), uriBaseId: SRCROOT };
  const rel = under(splitPath(sourceRoot), p);
  return rel ? { uri: encode(rel), uriBaseId: SRCROOT } : { uri: fileUri(p, false) };
}

/**
 * The object a finding is in, by the name the report gives it: the path as given on the command
 * line, `@0x…` appended for an object embedded in a binary. A relative path is relative to
 * `workingDirectory`, or to `sourceRoot` when that is not known (as in CI, where both are the checkout).
 */
export function objectFileLocation(objectName: string, sourceRoot: string, workingDirectory?: string): ArtifactLocation {
  const path = objectName.replace(/@0x[0-9a-f]+$/, '');
  const relative = !splitPath(path).absolute;
  return sourceFileLocation(relative && workingDirectory !== undefined ? `${workingDirectory}/${path}` : path, sourceRoot);
}

/** `originalUriBaseIds` for `%SRCROOT%` when `sourceRoot` is absolute (a consumer resolves relative URIs with it). */
export function sourceRootUri(sourceRoot: string): string | null {
  const p = splitPath(sourceRoot);
  return p.absolute ? fileUri(p, true) : null;
}
