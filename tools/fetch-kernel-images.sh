#!/usr/bin/env bash
# Downloads real Debian kernel packages and extracts just their kernel images (and a few modules)
# into .cache/kernel-images/, for the kernel-source tests (test/kernels-images.test.ts,
# test/kernels-split.test.ts); the packages themselves stay in .cache/debs/ for the package tests
# (test/kernels-packages.test.ts, which also wraps the 6.1 and arm64 images in RPMs). Idempotent: packages already in .cache/debs/ and files already
# extracted are not fetched again. Needs root (apt-get download), dpkg-deb, tar, readelf.
#
#   what            package (suite)                                            why
#   bzimage-xz      linux-image-6.1.0-57-amd64-unsigned (bookworm-security)    same release as corpus row
#                   debian/12/x86_64/6.1.0-57-amd64; its .ko files carry split BTF on that vmlinux
#   bzimage-lz4     newest linux-image-6.1.0-*-cloud-amd64-unsigned (bookworm) Debian's lz4 cloud kernels
#   bzimage-zstd    linux-image-6.12.118+deb13-cloud-amd64-unsigned (trixie-security), corpus row
#   arm64-image     linux-image-6.12.118+deb13-cloud-arm64-unsigned (trixie-security), corpus row; raw Image
#   s390x-image     linux-binary-7.2.13+deb14-s390x (sid), corpus row; zstd payload, big-endian BTF
#
# The bookworm packages come through the system's apt. The trixie/sid and arm64/s390x ones need
# suites and architectures the system is not set up for: they come through a private apt
# configuration in .cache/apt (own sources.list, lists and cache, used through APT_CONFIG), as in
# ../shared/corpus/REGENERATE.md, so the system's apt set-up is never touched. Pinned versions
# are the corpus rows' (so tests can compare with the corpus); if the mirror no longer has one,
# the newest package of the same flavour is taken instead and the tests compare with tools only.
#
# Writes .cache/kernel-images/IMAGES.tsv (file, what, release, package=version, corpus row or -),
# which the tests read. Exits 1, after trying everything, if any package could not be fetched.
set -euo pipefail
start=$(date +%s)
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache"
debs="$cache/debs"
out="$cache/kernel-images"
aptdir="$cache/apt"
mkdir -p "$debs" "$out"
failed=()
say() { echo "fetch-kernel-images: $*" >&2; }

# --- the private apt configuration (trixie, trixie-security, sid; amd64, arm64, s390x) -------------
. "$(dirname "${BASH_SOURCE[0]}")/private-apt.sh"
private_apt_ready=0
private_apt() {
  [ "$private_apt_ready" = 1 ] && return 0
  local key=/usr/share/keyrings/debian-archive-keyring.gpg
  private_apt_config "$aptdir" amd64 arm64 s390x <<EOF
deb [arch=amd64,arm64,s390x signed-by=$key] http://deb.debian.org/debian trixie main
deb [arch=amd64,arm64 signed-by=$key] http://deb.debian.org/debian-security trixie-security main
deb [arch=amd64,arm64,s390x signed-by=$key] http://deb.debian.org/debian sid main
EOF
  # Lists younger than a day are reused.
  if [ -z "$(find "$aptdir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
    say "apt-get update (private configuration in $aptdir)"
    APT_CONFIG="$aptdir/apt.conf" apt-get update -qq || { say "apt-get update with the private configuration failed"; return 1; }
  fi
  private_apt_ready=1
}

# fetch <apt: system|private> <package:arch> <pinned version or ''> <name regex for a fallback>
# Sets FETCHED to the path of the .deb; downloads it unless that package is already cached.
fetch() {
  local via=$1 pkgarch=$2 pin=$3 fallback=$4 pkg=${2%%:*} arch=${2##*:} cfg=() have
  FETCHED=
  if [ -n "$pin" ]; then have=$(ls "$debs/${pkg}_${pin}_$arch.deb" 2>/dev/null || true)
  else have=$(ls "$debs/${pkg}_"*"_$arch.deb" 2>/dev/null | sort -V | tail -n1 || true); fi
  if [ -n "$have" ]; then FETCHED=$have; return 0; fi
  if [ "$via" = private ]; then private_apt || return 1; cfg=(env APT_CONFIG="$aptdir/apt.conf"); fi
  local want="$pkgarch${pin:+=$pin}"
  if [ -n "$pin" ] && ! "${cfg[@]}" apt-cache show "$want" >/dev/null 2>&1; then
    local newest
    newest=$("${cfg[@]}" apt-cache search --names-only "$fallback" 2>/dev/null | awk '{print $1}' | sort -V | tail -n1)
    [ -n "$newest" ] || { say "$want is not on the mirror and nothing matches $fallback"; return 1; }
    say "$want is not on the mirror; taking $newest:$arch instead (tests will not compare it with the corpus)"
    want="$newest:$arch"; pkg=$newest
    have=$(ls "$debs/${pkg}_"*"_$arch.deb" 2>/dev/null | sort -V | tail -n1 || true)
    if [ -n "$have" ]; then FETCHED=$have; return 0; fi
  fi
  say "downloading $want"
  (cd "$debs" && "${cfg[@]}" apt-get download -q "$want" >&2) || { say "apt-get download $want failed"; return 1; }
  FETCHED=$(ls "$debs/${pkg}_"*"_$arch.deb" | sort -V | tail -n1)
}

# extract <deb> <member path in the .deb> <output file>
extract() {
  [ -s "$3" ] && return 0
  dpkg-deb --fsys-tarfile "$1" | tar -xO "$2" > "$3.tmp" && [ -s "$3.tmp" ] && mv -f "$3.tmp" "$3" \
    || { rm -f "$3.tmp"; say "cannot extract $2 from $1"; return 1; }
}

# The kernel image inside a package: /boot/vmlinuz-REL (bookworm, trixie) or
# /usr/lib/modules/REL/vmlinuz[.unsigned] (sid's linux-binary packages).
image_member() {
  dpkg-deb -c "$1" | awk '{print $6}' | grep -E '^\./(boot/vmlinu[xz]-|usr/lib/modules/[^/]+/vmlinu[xz](\.unsigned)?$)' | head -n1
}

manifest=()
# image <what> <apt> <package:arch> <pin> <fallback regex> <corpus row>
# Sets IMAGE_DEB and IMAGE_REL (empty on failure).
image() {
  local what=$1 member rel name corpus=$6 base
  IMAGE_DEB= IMAGE_REL=
  fetch "$2" "$3" "$4" "$5" || { failed+=("$3 ($what)"); return 0; }
  member=$(image_member "$FETCHED")
  [ -n "$member" ] || { say "no kernel image in $FETCHED"; failed+=("$3 ($what)"); return 0; }
  case "$member" in
    ./boot/*) rel=${member#./boot/vmlinu?-} ;;
    *) rel=$(basename "$(dirname "$member")") ;;
  esac
  name="vmlinuz-$rel"
  extract "$FETCHED" "$member" "$out/$name" || { failed+=("$3 ($what)"); return 0; }
  # A fallback package is another release: only the pinned one matches the corpus row.
  case "$corpus" in */"$rel".btf.tar.xz) ;; *) corpus=- ;; esac
  base=$(basename "$FETCHED" .deb)
  manifest+=("$name	$what	$rel	${base%_*}	$corpus")
  IMAGE_DEB=$FETCHED IMAGE_REL=$rel
}

image bzimage-xz system linux-image-6.1.0-57-amd64-unsigned:amd64 6.1.192-3 \
  '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz
deb61=$IMAGE_DEB rel61=$IMAGE_REL
cloud=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' 2>/dev/null | awk '{print $1}' | sort -V | tail -n1)
image bzimage-lz4 system "${cloud:-linux-image-6.1.0-57-cloud-amd64-unsigned}:amd64" '' '' ''
image bzimage-zstd private linux-image-6.12.118+deb13-cloud-amd64-unsigned:amd64 6.12.118-1 \
  '^linux-image-6\.12\.[0-9]+\+deb13-cloud-amd64-unsigned$' debian/13/x86_64/6.12.118+deb13-cloud-amd64.btf.tar.xz
image arm64-image private linux-image-6.12.118+deb13-cloud-arm64-unsigned:arm64 6.12.118-1 \
  '^linux-image-6\.12\.[0-9]+\+deb13-cloud-arm64-unsigned$' debian/13/arm64/6.12.118+deb13-cloud-arm64.btf.tar.xz
image s390x-image private linux-binary-7.2.13+deb14-s390x:s390x 7.2.13-1 \
  '^linux-binary-[0-9.]+\+deb14-s390x$' debian/sid/s390x/7.2.13+deb14-s390x.btf.tar.xz

# Kernel modules of the 6.1 amd64 kernel: their .BTF is split BTF on that kernel's vmlinux BTF.
if [ -n "$deb61" ]; then
  modcorpus=-; [ "$rel61" = 6.1.0-57-amd64 ] && modcorpus=debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz
  for m in kernel/fs/ext4/ext4.ko kernel/fs/fat/vfat.ko kernel/net/netfilter/nf_tables.ko; do
    name=$(basename "$m")
    if extract "$deb61" "./lib/modules/$rel61/$m" "$out/$name"; then
      if readelf -S -W "$out/$name" | grep -q ' \.BTF '; then
        manifest+=("$name	module	$rel61	$(basename "$deb61" .deb | sed 's/_[^_]*$//')	$modcorpus")
      else
        say "$name has no .BTF section"; failed+=("$name (module)")
      fi
    else
      failed+=("$name (module)")
    fi
  done
else
  failed+=("modules of linux-image-6.1.0-57-amd64-unsigned")
fi

{
  printf 'file\twhat\trelease\tpackage\tcorpus\n'
  for row in "${manifest[@]}"; do printf '%s\n' "$row"; done
} > "$out/IMAGES.tsv.tmp" && mv -f "$out/IMAGES.tsv.tmp" "$out/IMAGES.tsv"

say "$(du -sh "$debs" | cut -f1) of packages in $debs, $(du -sh --exclude=IMAGES.tsv "$out" | cut -f1) extracted to $out, $(( $(date +%s) - start )) s"
column -t -s $'\t' "$out/IMAGES.tsv" >&2 || cat "$out/IMAGES.tsv" >&2
if [ "${#failed[@]}" -gt 0 ]; then
  say "FAILED: ${failed[*]} -- the tests that need them will be skipped"
  exit 1
fi
