#!/usr/bin/env bash
# The derived inputs the tests read (git-ignored, under .cache/), made from the Debian packages
# .ci/run installs. `npm test` runs this (after writing the corpus copy a clone without
# ../shared/corpus needs, which build-selftests.sh reads) and makes only what has not been made
# here, so a fresh clone's `npm test` works as the README says; `--all` makes everything again
# (after a change to the fixtures' sources).
#
#   tools/test-inputs.sh [--all]
set -euo pipefail
cd "$(dirname "$0")/.."
all=false
[ "${1:-}" = --all ] && all=true

# Runs "$@" unless it has already run to the end here (`--all`: always); a stamp per step under
# .cache/test-inputs/ says it has, so a step cut short runs again.
stamps=.cache/test-inputs
mkdir -p "$stamps"
step() {
  local name=$1; shift
  if $all || [ ! -e "$stamps/$name" ]; then
    rm -f "$stamps/$name"
    "$@" >/dev/null || { echo "test-inputs: '$*' failed: the tests need the Debian packages .ci/run installs (bash .ci/run does both)" >&2; exit 1; }
    touch "$stamps/$name"
  fi
}

# BPF objects compiled here with clang-19 (both endians) and gcc-bpf from test/fixtures/src.
step fixtures bash tools/goldens/build-fixtures.sh --objects-only
# The kernel selftests' CO-RE programs and target BTFs (linux-source-6.12), built with clang-19.
step selftests bash tools/goldens/build-selftests.sh --objects-only
# The 52 BPF objects embedded in Debian's libbpf-tools binaries, cut out by the independent extractor
# into .cache/objects/libbpf-tools (the live-kernel goldens name them by file).
step libbpf-tools python3 tools/goldens/extract-libbpf-tools.py
# libbpf 1.5's own CO-RE step as a harness (.cache/bin/relo-core), which the btfgen tests run on
# corecheck's minimized BTFs.
step relo-core bash tools/goldens/build-relo-core.sh
# Real Debian kernel images (xz and lz4 bzImages, modules with split BTF) for the kernel-source tests.
step kernel-images bash tools/fetch-kernel-images.sh
