import { readFileSync } from 'node:fs';
import { machine, release } from 'node:os';
import { normalizeArch, type KernelInfo } from './kernel-info.js';

/**
 * The running kernel as a fleet entry: `uname -r` and `uname -m`, and the distro and its release
 * from /etc/os-release (ID, VERSION_ID; Debian testing has no VERSION_ID, so its codename).
 */
export function runningKernelInfo(): KernelInfo {
  const os = osRelease();
  return { distro: os.ID, release: os.VERSION_ID ?? os.VERSION_CODENAME, arch: normalizeArch(machine()), kernel: release() };
}

function osRelease(): Record<string, string | undefined> {
  let text = '';
  try {
    text = readFileSync('/etc/os-release', 'utf8');
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Z_]+)=("?)(.*)\2$/gm)) out[m[1]] = m[3];
  return out;
}
