# Shared by the golden and bench build scripts (sourced, not executed): where things are, and helpers.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache"
# the kernel corpus (BTFHub layout): where CORECHECK_CORPUS says, else beside the clone, else (a
# user's clone) the built-in fleet's same kernels, which npm test writes out first
# (test/helpers/corpus-setup.ts, as the tests' corpus-paths.ts finds them)
if [ -n "${CORECHECK_CORPUS:-}" ]; then CORPUS="$CORECHECK_CORPUS"
elif [ -d "$ROOT/../shared/corpus" ]; then CORPUS="$ROOT/../shared/corpus"
else CORPUS="$CACHE/corpus-from-store"
fi

die() { echo "$(basename "$0"): error: $*" >&2; exit 1; }

# the reference libbpf 1.5 (build-libbpf.sh): the kernel tree it is built from, its build, and
# the harnesses built against it
KSRC="$CACHE/linux-source-6.12"
LIBBPF="$CACHE/libbpf-1.5"
BIN="$CACHE/bin"

RELO_LOG="$BIN/relo-log"
SUMMARY_HEADER='name	programs	core_sections	core_relos	btf_ext_relos	status'
SKIPPED_HEADER='name	btf_ext_relos	reason (last libbpf 1.5 message before bpf_object__open failed)'

# golden_for <name> <object> <target-btf> <golden-dir> <log-dir> <summary-file> <skipped-file>
# Runs relo-log and writes <golden-dir>/<name>.relos.txt (format: tools/goldens/relos_golden.py),
# appending one row to <summary-file>, or to <skipped-file> if libbpf cannot open the object.
golden_for() {
  local name="$1" obj="$2" btf="$3" gdir="$4" ldir="$5" summary="$6" skipped="$7" res rc
  "$RELO_LOG" "$obj" --btf "$btf" >"$ldir/$name.log" 2>&1 ||
    die "relo-log broke on $obj (see $ldir/$name.log)"
  rc=0
  res="$(python3 "$HERE/relos_golden.py" "$ldir/$name.log" "$obj" "$gdir/$name.relos.txt")" || rc=$?
  case "$rc" in
    0) printf '%s\t%s\n' "$name" "$res" >>"$summary" ;;
    3) rm -f "$gdir/$name.relos.txt"; printf '%s\t%s\n' "$name" "${res#open-failed	}" >>"$skipped" ;;
    *) die "relos_golden.py failed on $obj" ;;
  esac
}

# core_log_for <object> <target-btf> <log-file> <golden-file>: the full CO-RE log against a fixed BTF
# (no golden if libbpf cannot open the object)
core_log_for() {
  local rc=0
  "$RELO_LOG" "$1" --btf "$2" >"$3" 2>&1 || die "relo-log broke on $1 (see $3)"
  python3 "$HERE/relos_golden.py" --core-log "$3" "$4" >/dev/null || rc=$?
  case "$rc" in
    0) ;;
    3) rm -f "$4" ;;
    *) die "relos_golden.py --core-log failed on $1" ;;
  esac
}

# corpus_btf <corpus-dir> <kernel>: prints the path of the kernel's raw BTF, extracted once from
# <corpus-dir>/kernels/<kernel>.btf.tar.xz into $CACHE/btf/ (again when the archive is newer)
corpus_btf() {
  local archive="$1/kernels/$2.btf.tar.xz" btf="$CACHE/btf/$(basename "$2").btf"
  mkdir -p "$CACHE/btf"
  if [ ! -s "$btf" ] || [ "$archive" -nt "$btf" ]; then
    tar -xJf "$archive" -O >"$btf.tmp.$$" || die "cannot extract $archive"
    [ -s "$btf.tmp.$$" ] || die "$archive holds no data"
    mv "$btf.tmp.$$" "$btf"
  fi
  echo "$btf"
}

# sort_table <file>: keep the header line, sort the rest (C locale, stable across machines)
sort_table() {
  { head -1 "$1"; tail -n +2 "$1" | LC_ALL=C sort; } >"$1.sorted" && mv "$1.sorted" "$1"
}

# print_summary <label> <SUMMARY.tsv>
print_summary() {
  awk -F'\t' -v d="$1" 'NR>1 { n++; p+=$2; s+=$3; r+=$4; st[$6]++ }
    END { printf "%s: %d objects, %d programs, %d CO-RE sections, %d relocations;", d, n, p, s, r;
          for (k in st) printf " %s=%d", k, st[k]; print "" }' "$2"
}
