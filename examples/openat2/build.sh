#!/usr/bin/env bash
# Rebuild examples/openat2/openat2.bpf.o (committed: it is the default input of
# `corecheck inspect`).  Needs clang-19 and libbpf-dev (for <bpf/bpf_helpers.h>).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLANG="${CLANG:-clang-19}"
command -v "$CLANG" >/dev/null || { echo "build.sh: error: $CLANG not found (apt-get install clang-19)" >&2; exit 1; }
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "build.sh: error: <bpf/bpf_helpers.h> missing (apt-get install libbpf-dev)" >&2; exit 1; }
# Compile from inside the directory with relative names and -fdebug-prefix-map so that no
# absolute path ends up in DWARF/BTF: the object is byte-identical wherever the repo lives.
cd "$HERE"
"$CLANG" -target bpfel -O2 -g -c -fdebug-prefix-map="$HERE"=. \
  -o openat2.bpf.o.tmp openat2.bpf.c
mv openat2.bpf.o.tmp openat2.bpf.o
echo "built $HERE/openat2.bpf.o"
