#!/usr/bin/env bash
# Live ground truth on older kernels: every program of the libbpf-tools objects, the fixtures, the
# example, the selftests' large objects and the committed instruction-set fixtures
# (test/fixtures/insn: isa.v2, isa.v3, isa.v4, big), loaded by libbpf 1.5 into a REAL Debian kernel booted
# under QEMU (TCG), with CO-RE against that kernel's own /sys/kernel/btf/vmlinux (no
# btf_custom_path). Unlike test/goldens/verdicts (this host's 6.18 verifier with another kernel's
# BTF), the verifier here is the old kernel's own: context accesses its own tracepoint/function
# signatures do not allow, helpers it lacks, program types it refuses, etc.
#
#   sudo tools/goldens/regen-live.sh [<kernel-release>...]    # default: the three below
#
# How:
#   1. a private apt configuration in .cache/live/apt (own sources.list, lists and cache: the
#      system's apt setup is untouched; see ../shared/corpus/REGENERATE.md) downloads
#        linux-image-5.10.0-32-amd64-unsigned      (bullseye)
#        linux-image-6.1.0-57-amd64-unsigned        (bookworm-security)
#        linux-image-6.12.117+deb12-amd64-unsigned  (bookworm-security)
#      into .cache/live/debs and unpacks /boot/vmlinuz-<release> into .cache/live/kernels;
#   2. builds load-verdicts.c statically against libbpf 1.5 (build-libbpf.sh) and an initramfs
#      (busybox-static; .cache/live/initramfs.cpio.gz) whose /init mounts proc, sysfs, bpffs,
#      debugfs and tracefs, raises RLIMIT_MEMLOCK, has the kernels' /boot/config-<release> (libbpf
#      reads it for __kconfig externs, as on an installed system), records `uname -r` and the sha256 of
#      /sys/kernel/btf/vmlinux, runs `load-verdicts <obj> --tool-setup --whole` on every object
#      and writes everything to the second serial port (ttyS1 -> .cache/live/out/<release>.txt;
#      the console, ttyS0, goes to .cache/live/out/<release>.console), then powers off;
#   3. boots each kernel, one VM at a time:
#        qemu-system-x86_64 -accel tcg -cpu max -m 2G -smp 1 -nographic -kernel <vmlinuz> \
#          -initrd <initramfs> -append 'console=ttyS0 ...'
#      (KVM does not work on the machine this was made on);
#   4. writes test/goldens/live/<release>/<object>.tsv (header `program verdict detail`, one row
#      per program in libbpf's order as load-verdicts prints it, then the `(object)` row: the
#      whole-object load) and test/goldens/live/KERNELS.tsv (release, package, version, sha256 of
#      the vmlinuz, sha256 of the live /sys/kernel/btf/vmlinux, the corpus archive of the same
#      release and whether its BTF is byte-identical).
# Verdicts: loads | fails-core <libbpf line> | fails-other <errno> <verifier's last complaint or
# libbpf's line> | core-error <libbpf line> | not-loaded (SEC("?...")) | artifact <why>
# (--tool-setup in load-verdicts.c: what the tools' user space must set before load is set the
# way it sets it by default; what cannot be, e.g. fentry/dummy_* targets, is `artifact`, never a
# kernel verdict). Nothing is excluded by program type: the VM runs the loader as root on a kernel
# without lockdown, so tracing/lsm/struct_ops programs load for real.
# Not loaded at all: the big-endian fixtures (*.bpfeb.o: libbpf refuses the other byte order
# before anything reaches the kernel). Objects libbpf cannot open get a single
# `(object) open-failed <errno text>` row.
# Kernel modules are not loaded in the VM: attach targets or BTF types that live in modules
# (ext4, nf_tables, ...) are not found, as on a machine where the module is not loaded.
#
# Prerequisites: root, qemu-system-x86 busybox-static (apt), those of build-libbpf.sh,
# extract-libbpf-tools.py, build-fixtures.sh --objects-only, build-selftests.sh --objects-only,
# network access to deb.debian.org, the corpus ($CORECHECK_CORPUS, default ../shared/corpus).
# Time: about 8 s to boot under TCG, then 1-3.5 min per kernel (5.10 is the slowest; the selftests' large objects
# dominate); 6-8 min for the three kernels on a busy 2-core machine, plus about 14 min on 6.12, whose
# verifier walks isa's may_goto_loop to the 1M-instruction limit (E2BIG) once per load attempt. Re-runs reuse the downloads and
# give byte-identical goldens.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/lib.sh"

LIVE="$CACHE/live"
OUT="$ROOT/test/goldens/live"
APTDIR="$LIVE/apt"
DEBS="$LIVE/debs"
KDIR="$LIVE/kernels"
RUNS="$LIVE/out"
VM_TIMEOUT="${VM_TIMEOUT:-3600}"          # seconds per VM
OBJ_TIMEOUT="${OBJ_TIMEOUT:-900}"         # seconds per object inside the VM

# release <tab> package <tab> version <tab> corpus archive (relative to $CORPUS/kernels)
KERNEL_TABLE='5.10.0-32-amd64	linux-image-5.10.0-32-amd64-unsigned	5.10.223-1	debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz
6.1.0-57-amd64	linux-image-6.1.0-57-amd64-unsigned	6.1.192-3	debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz
6.12.117+deb12-amd64	linux-image-6.12.117+deb12-amd64-unsigned	6.12.117-1~deb12u1	debian/12/x86_64/6.12.117+deb12-amd64.btf.tar.xz'

[ "$(id -u)" = 0 ] || die "must run as root (apt-get download as root, qemu)"
for c in qemu-system-x86_64 apt-get dpkg-deb gzip python3 sha256sum file; do
  command -v "$c" >/dev/null || die "'$c' not found (apt-get install qemu-system-x86 file)"
done
BUSYBOX=/bin/busybox
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || die "$BUSYBOX is not static (apt-get install busybox-static)"

wanted=("$@")
selected() { [ ${#wanted[@]} -eq 0 ] && return 0; local w; for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

mkdir -p "$DEBS" "$KDIR" "$RUNS" "$OUT"

# ---- 1. kernels -------------------------------------------------------------------------------
K='signed-by=/usr/share/keyrings/debian-archive-keyring.gpg'
. "$HERE/../private-apt.sh"
private_apt_config "$APTDIR" amd64 <<EOF
deb [arch=amd64 $K] http://deb.debian.org/debian bullseye main
deb [arch=amd64 $K] http://deb.debian.org/debian-security bullseye-security main
deb [arch=amd64 $K] http://deb.debian.org/debian bookworm main
deb [arch=amd64 $K] http://deb.debian.org/debian bookworm-updates main
deb [arch=amd64 $K] http://deb.debian.org/debian-security bookworm-security main
deb [arch=amd64 $K] http://deb.debian.org/debian bookworm-backports main
EOF
export APT_CONFIG="$APTDIR/apt.conf"
updated=0
while IFS=$'\t' read -r rel pkg ver _; do
  selected "$rel" || continue
  deb="$DEBS/${pkg}_${ver//:/%3a}_amd64.deb"
  if [ ! -s "$deb" ]; then
    if [ "$updated" = 0 ]; then
      apt-get update -o Debug::NoLocking=1 >"$LIVE/apt-update.log" 2>&1 || die "apt-get update failed (see $LIVE/apt-update.log)"
      updated=1
    fi
    (cd "$DEBS" && apt-get download "$pkg=$ver" >>"$LIVE/download.log" 2>&1) || die "cannot download $pkg=$ver (see $LIVE/download.log)"
  fi
  [ -s "$deb" ] || die "$deb missing after download"
  # /boot/config-<release> too: libbpf reads it for __kconfig externs (Debian kernels have no
  # /proc/config.gz); the initramfs carries it where an installed kernel has it
  [ -s "$KDIR/config-$rel" ] || { dpkg-deb --fsys-tarfile "$deb" | tar -xO "./boot/config-$rel" >"$KDIR/config-$rel.tmp" &&
    mv "$KDIR/config-$rel.tmp" "$KDIR/config-$rel"; } || die "no ./boot/config-$rel in $deb"
  img="$KDIR/vmlinuz-$rel"
  if [ ! -s "$img" ]; then
    dpkg-deb --fsys-tarfile "$deb" | tar -xO "./boot/vmlinuz-$rel" >"$img.tmp" && mv "$img.tmp" "$img" ||
      die "no ./boot/vmlinuz-$rel in $deb"
  fi
done <<<"$KERNEL_TABLE"

# ---- 2. loader + initramfs --------------------------------------------------------------------
# build-libbpf.sh only when libbpf.a is missing: .cache is shared between worktrees, and a rebuild
# from another checkout path remakes (and for a while removes) every object other scripts use
[ -f "$LIBBPF/libbpf.a" ] || "$HERE/build-libbpf.sh" >/dev/null
python3 "$HERE/extract-libbpf-tools.py" >/dev/null
LOADER="$LIVE/bin/load-verdicts-static"
mkdir -p "$LIVE/bin"
if [ ! -x "$LOADER" ] || [ "$HERE/load-verdicts.c" -nt "$LOADER" ] || [ "$LIBBPF/libbpf.a" -nt "$LOADER" ]; then
  gcc -static -O2 -Wall -Wextra -Werror -I"$LIBBPF/include" -I"$CACHE/linux-source-6.12/tools/include/uapi" \
    -o "$LOADER.tmp" "$HERE/load-verdicts.c" "$LIBBPF/libbpf.a" -lelf -lz && mv "$LOADER.tmp" "$LOADER"
fi

objects=()
for o in "$CACHE"/objects/libbpf-tools/*.bpf.o; do objects+=("$o"); done
for o in "$CACHE"/objects/fixtures/*.bpfel.o "$CACHE"/objects/fixtures/*.gcc.o; do objects+=("$o"); done
objects+=("$ROOT"/examples/openat2/*.bpf.o)
for o in "$CACHE"/objects/selftests-large/*.bpf.o; do objects+=("$o"); done
# the committed instruction-set fixtures (test/fixtures/insn/build.sh): isa.v2, isa.v3, isa.v4, big
objects+=("$ROOT"/test/fixtures/insn/isa.v2.o "$ROOT"/test/fixtures/insn/isa.v3.o "$ROOT"/test/fixtures/insn/isa.v4.o "$ROOT"/test/fixtures/insn/big.o)
[ -f "$CACHE/objects/fixtures/guards.bpfel.o" ] || die "fixtures missing (tools/goldens/build-fixtures.sh --objects-only)"
[ -f "$CACHE/objects/selftests-large/pyperf600.bpf.o" ] || die "selftests' large objects missing (tools/goldens/build-selftests.sh --objects-only)"
objname() { local n; n="$(basename "$1")"; n="${n%.o}"; n="${n%.bpfel}"; n="${n%.bpf}"; printf '%s' "$n"; }

IRD="$LIVE/initramfs"
rm -rf "$IRD"
mkdir -p "$IRD"/{bin,sbin,proc,sys,dev,tmp,objects,boot}
cp "$KDIR"/config-* "$IRD/boot/"
cp "$BUSYBOX" "$IRD/bin/busybox"
cp "$LOADER" "$IRD/bin/load-verdicts"
: >"$IRD/objects/LIST"
for o in "${objects[@]}"; do
  n="$(objname "$o")"
  [[ "$n" =~ ${LIVE_ONLY:-.} ]] || continue       # LIVE_ONLY=<regex>: a subset, for debugging
  cp "$o" "$IRD/objects/$n.o"
  echo "$n" >>"$IRD/objects/LIST"
done
cat >"$IRD/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || mount -t tracefs tracefs /sys/kernel/debug/tracing
ulimit -l unlimited
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1
echo "=== uname \$(uname -r)" >&3
echo "=== btf \$(sha256sum /sys/kernel/btf/vmlinux | cut -d' ' -f1)" >&3
while read -r n; do
  echo "=== object \$n" >&3
  timeout -s KILL $OBJ_TIMEOUT /bin/load-verdicts /objects/\$n.o --tool-setup --whole >&3 2>/tmp/err
  echo "=== rc \$n \$?" >&3
  echo "done \$n" >/dev/console
done </objects/LIST
echo "=== end" >&3
sync
poweroff -f
EOF
chmod +x "$IRD/init"
(cd "$IRD" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null | gzip -1) >"$LIVE/initramfs.cpio.gz"

# ---- 3. boot each kernel ----------------------------------------------------------------------
while IFS=$'\t' read -r rel pkg ver _; do
  selected "$rel" || continue
  echo ">> booting $rel ($(wc -l <"$IRD/objects/LIST") objects)"
  rm -f "$RUNS/$rel.txt" "$RUNS/$rel.console"
  start=$(date +%s)
  timeout "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 2G -smp 1 -nographic -no-reboot \
    -monitor none -serial "file:$RUNS/$rel.console" -serial "file:$RUNS/$rel.txt" \
    -kernel "$KDIR/vmlinuz-$rel" -initrd "$LIVE/initramfs.cpio.gz" \
    -append 'console=ttyS0 panic=-1 quiet loglevel=3 mitigations=off' </dev/null >/dev/null 2>"$RUNS/$rel.qemu.err" ||
    echo ">> qemu for $rel exited $? (see $RUNS/$rel.console)"
  echo ">> $rel: $(( $(date +%s) - start )) s"
  grep -q '^=== end' "$RUNS/$rel.txt" || die "the VM of $rel did not finish (see $RUNS/$rel.console, $RUNS/$rel.txt)"
done <<<"$KERNEL_TABLE"

# ---- 4. goldens -------------------------------------------------------------------------------
KERNEL_TABLE="$KERNEL_TABLE" CORPUS="$CORPUS" KDIR="$KDIR" RUNS="$RUNS" OUT="$OUT" python3 - "${wanted[@]}" <<'PY'
import hashlib, lzma, os, sys, tarfile
out, runs, kdir, corpus = os.environ["OUT"], os.environ["RUNS"], os.environ["KDIR"], os.environ["CORPUS"]
wanted = sys.argv[1:]
rows = {}
kt = os.path.join(out, "KERNELS.tsv")
if os.path.exists(kt):
    for line in open(kt).read().splitlines()[1:]:
        rows[line.split("\t")[0]] = line
for line in os.environ["KERNEL_TABLE"].splitlines():
    rel, pkg, ver, arch = line.split("\t")
    if wanted and rel not in wanted:
        continue
    text = open(os.path.join(runs, rel + ".txt"), "rb").read().decode("utf-8", "replace").replace("\r", "")
    lines = text.split("\n")
    uname = next(l.split(" ", 2)[2] for l in lines if l.startswith("=== uname "))
    assert uname == rel, (uname, rel)
    btf_sha = next(l.split(" ", 2)[2] for l in lines if l.startswith("=== btf "))
    vmlinuz_sha = hashlib.sha256(open(os.path.join(kdir, "vmlinuz-" + rel), "rb").read()).hexdigest()
    archive = os.path.join(corpus, "kernels", arch)
    same = "no-corpus-row"
    if os.path.exists(archive):
        with tarfile.open(archive) as t:
            m = t.getmembers()[0]
            same = "identical" if hashlib.sha256(t.extractfile(m).read()).hexdigest() == btf_sha else "DIFFERENT"
    rows[rel] = "\t".join([rel, pkg, ver, vmlinuz_sha, btf_sha, arch, same])
    d = os.path.join(out, rel)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    cur, progs, obj, rc = None, [], None, None
    def flush():
        if cur is None:
            return
        o = obj
        if o is None:
            o = "killed rc=%s (no object verdict; timeout %s)" % (rc, os.environ.get("OBJ_TIMEOUT", "?"))
        with open(os.path.join(d, cur + ".tsv"), "w") as f:
            f.write("program\tverdict\tdetail\n")
            for name, v in progs:
                kind, _, detail = v.partition(" ")
                f.write("%s\t%s\t%s\n" % (name, kind, detail.replace("\t", " ")))
            kind, _, detail = o.partition(" ")
            f.write("(object)\t%s\t%s\n" % (kind, detail.replace("\t", " ")))
    for l in lines:
        if l.startswith("=== object "):
            flush()
            cur, progs, obj, rc = l[len("=== object "):], [], None, None
        elif l.startswith("=== rc "):
            rc = l.split(" ")[3]
        elif l.startswith("=== end"):
            flush()
            cur = None
        elif cur and l.startswith("prog "):
            name, _, v = l[5:].partition(" ")
            progs.append((name, v))
        elif cur and l.startswith("object "):
            obj = l[7:]
with open(kt, "w") as f:
    f.write("release\tpackage\tversion\tvmlinuz_sha256\tbtf_sha256\tcorpus_archive\tcorpus_btf\n")
    for k in sorted(rows):
        f.write(rows[k] + "\n")
PY
for rel in $(cut -f1 "$OUT/KERNELS.tsv" | tail -n +2); do
  selected "$rel" || continue
  printf '%s: ' "$rel"
  cat "$OUT/$rel"/*.tsv | awk -F'\t' '$1!="program" && $1!="(object)" {n[$2]++} $1=="(object)" {o[$2]++}
    END { for (k in n) printf "%s=%d ", k, n[k]; printf "| objects:"; for (k in o) printf " %s=%d", k, o[k]; print "" }'
done
python3 "$HERE/live_vs_verdicts.py"
