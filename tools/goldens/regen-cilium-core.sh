#!/usr/bin/env bash
# CO-RE outcome goldens for cilium/ebpf's CO-RE testdata, both byte orders, from libbpf 1.5's own
# relo_core.c called directly (relo-core; the loader refuses big-endian objects):
#   relocs-<e>.elf against its own BTF, relocs_read-<e>.elf against relocs_read_tgt-<e>.elf.
# Output: test/goldens/cilium/<name>.<el|eb>.core.txt = relo-core's output without its `== ` lines
# (libbpf's CO-RE log, then `insn <prog> <idx> <hex>` for each patched instruction, in the object's
# byte order). libbpf's host-order rule (LSHIFT) follows the object's byte order (relo-core default).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"
CT=/usr/share/gocode/src/github.com/cilium/ebpf/btf/testdata
[ -d "$CT" ] || { echo "regen-cilium-core.sh: error: $CT missing (apt-get install golang-github-cilium-ebpf-dev)" >&2; exit 1; }
"$HERE/build-relo-core.sh" >/dev/null
out="$ROOT/test/goldens/cilium"
for e in el eb; do
  for pair in "relocs:relocs" "relocs_read:relocs_read_tgt"; do
    obj=${pair%%:*} tgt=${pair#*:}
    "$ROOT/.cache/bin/relo-core" "$CT/$obj-$e.elf" --btf "$CT/$tgt-$e.elf" | grep -v '^== ' > "$out/$obj.$e.core.txt.tmp"
    mv "$out/$obj.$e.core.txt.tmp" "$out/$obj.$e.core.txt"
  done
done
ls -l "$out"/*.core.txt
