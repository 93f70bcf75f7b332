#!/usr/bin/env bash
# Downloads real Debian kernel packages and extracts their kernel images (and a few modules) into
# .cache/kernel-images/, for the kernel-source tests. Idempotent; needs apt (root) and dpkg-deb.
#   6.1.0-57-amd64        bzImage, xz payload  (same release as corpus row debian/12/x86_64/6.1.0-57-amd64)
#   6.1.0-57-cloud-amd64  bzImage, lz4 payload (Debian's cloud kernels)
# plus .ko files of 6.1.0-57-amd64 (split BTF on that kernel's vmlinux BTF).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
debs="$root/.cache/debs"
out="$root/.cache/kernel-images"
mkdir -p "$debs" "$out"
REL=6.1.0-57
PKGS=("linux-image-$REL-amd64-unsigned" "linux-image-$REL-cloud-amd64-unsigned")
MODULES=(kernel/fs/ext4/ext4.ko kernel/net/netfilter/nf_tables.ko kernel/fs/fat/vfat.ko)

cd "$debs"
for p in "${PKGS[@]}"; do
  if ! ls "$p"_*.deb >/dev/null 2>&1; then
    apt-get download "$p" || { echo "fetch-kernel-images: cannot download $p (run apt-get update?)" >&2; exit 1; }
  fi
done
for flavour in amd64 cloud-amd64; do
  deb=$(ls "linux-image-$REL-$flavour-unsigned"_*.deb | head -n1)
  [ -s "$out/vmlinuz-$REL-$flavour" ] || dpkg-deb --fsys-tarfile "$deb" | tar -xO "./boot/vmlinuz-$REL-$flavour" > "$out/vmlinuz-$REL-$flavour.tmp" && mv -f "$out/vmlinuz-$REL-$flavour.tmp" "$out/vmlinuz-$REL-$flavour" 2>/dev/null || true
done
deb=$(ls "linux-image-$REL-amd64-unsigned"_*.deb | head -n1)
for m in "${MODULES[@]}"; do
  name=$(basename "$m")
  [ -s "$out/$name" ] && continue
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "./lib/modules/$REL-amd64/$m" > "$out/$name.tmp" && mv -f "$out/$name.tmp" "$out/$name"
done
ls -l "$out"
