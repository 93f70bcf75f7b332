#!/usr/bin/env python3
"""Extract the BPF ELF objects embedded in Debian's libbpf-tools binaries.

Independent of corecheck (Python 3 standard library only).  For every tool that
`dpkg -L libbpf-tools` installs in /usr/sbin (symlinks excluded: they point at
another tool's binary), scan the binary for b"\\x7fELF" followed by a valid ELF64
header whose e_machine is 247 (EM_BPF), compute the embedded object's size from
its headers (max of e_shoff + e_shnum*e_shentsize, e_phoff + e_phnum*e_phentsize
and the end of every section that occupies file space), check that the section
table parses inside that range, and write

    <repo>/.cache/objects/libbpf-tools/<tool>.bpf.o      (derived, git-ignored)
    <repo>/test/goldens/libbpf-tools/objects.tsv         (committed golden)

objects.tsv: a header line "tool\\tfile_offset\\tsize\\tsha256", then one row per
real binary sorted by tool name: the tool, the decimal offset of the object in
/usr/sbin/<tool>, its decimal size in bytes and the lowercase hex SHA-256 of the
extracted bytes.

Usage: tools/goldens/extract-libbpf-tools.py   (idempotent, ~1 s)
Fails (exit 1) if libbpf-tools is not installed or a binary does not embed
exactly one BPF object.
"""
import hashlib
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, ".cache", "objects", "libbpf-tools")
GOLDEN = os.path.join(ROOT, "test", "goldens", "libbpf-tools", "objects.tsv")

EM_BPF = 247
SHT_NOBITS = 8


def die(msg):
    print(f"extract-libbpf-tools.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def parse_bpf_elf(buf, off):
    """Return the size of a valid ELF64 EM_BPF object starting at buf[off], or None."""
    ident = buf[off:off + 16]
    if len(ident) < 16 or ident[:4] != b"\x7fELF":
        return None
    if ident[4] != 2 or ident[5] not in (1, 2) or ident[6] != 1:  # ELFCLASS64, LSB/MSB, EV_CURRENT
        return None
    end = "<" if ident[5] == 1 else ">"
    if off + 64 > len(buf):
        return None
    (e_type, e_machine, e_version, _entry, e_phoff, e_shoff, _flags, e_ehsize,
     e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(
        end + "HHIQQQIHHHHHH", buf, off + 16)
    if e_machine != EM_BPF or e_version != 1 or e_ehsize != 64:
        return None
    if e_shoff == 0 or e_shentsize != 64:
        return None
    avail = len(buf) - off

    def shdr(i):
        p = off + e_shoff + i * 64
        if e_shoff + (i + 1) * 64 > avail:
            raise ValueError("section header outside the buffer")
        return struct.unpack_from(end + "IIQQQQIIQQ", buf, p)

    try:
        sh0 = shdr(0)
        shnum = e_shnum if e_shnum else sh0[5]          # extended numbering: sh_size of [0]
        shstrndx = e_shstrndx if e_shstrndx != 0xFFFF else sh0[7]  # sh_link of [0]
        if shnum < 2 or shstrndx >= shnum:
            return None
        size = max(64, e_shoff + shnum * 64)
        if e_phnum:
            size = max(size, e_phoff + e_phnum * e_phentsize)
        shdrs = [shdr(i) for i in range(shnum)]
        for (_n, sh_type, _f, _a, sh_offset, sh_size, *_rest) in shdrs:
            if sh_type != SHT_NOBITS and sh_size:
                size = max(size, sh_offset + sh_size)
        if size > avail:
            return None
        # check that section names resolve inside .shstrtab
        str_off, str_size = shdrs[shstrndx][4], shdrs[shstrndx][5]
        names = []
        for sh in shdrs[1:]:
            if sh[0] >= str_size:
                return None
            s = off + str_off + sh[0]
            names.append(bytes(buf[s:buf.index(b"\0", s)]).decode("ascii", "replace"))
        if not any(names):
            return None
        return size
    except (ValueError, struct.error):
        return None


def tools():
    try:
        out = subprocess.run(["dpkg", "-L", "libbpf-tools"], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        die("libbpf-tools is not installed (apt-get install libbpf-tools)")
    paths = sorted(p for p in out.splitlines() if p.startswith("/usr/sbin/"))
    real = [p for p in paths if not os.path.islink(p)]
    links = [p for p in paths if os.path.islink(p)]
    return real, links


def main():
    real, links = tools()
    if not real:
        die("dpkg -L libbpf-tools lists no /usr/sbin binaries")
    os.makedirs(OUT_DIR, exist_ok=True)
    os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
    rows = []
    for path in real:
        tool = os.path.basename(path)
        with open(path, "rb") as f:
            buf = f.read()
        found = []
        pos = buf.find(b"\x7fELF")
        while pos >= 0:
            size = parse_bpf_elf(buf, pos)
            if size is not None:
                found.append((pos, size))
            pos = buf.find(b"\x7fELF", pos + 1)
        if len(found) != 1:
            die(f"{path}: expected exactly one embedded BPF ELF object, found {len(found)}")
        off, size = found[0]
        blob = buf[off:off + size]
        digest = hashlib.sha256(blob).hexdigest()
        dest = os.path.join(OUT_DIR, f"{tool}.bpf.o")
        try:
            with open(dest, "rb") as f:
                same = f.read() == blob
        except OSError:
            same = False
        if not same:
            with open(dest + ".tmp", "wb") as f:
                f.write(blob)
            os.replace(dest + ".tmp", dest)
        rows.append((tool, off, size, digest))
    rows.sort()
    with open(GOLDEN + ".tmp", "w") as f:
        f.write("tool\tfile_offset\tsize\tsha256\n")
        for r in rows:
            f.write("%s\t%d\t%d\t%s\n" % r)
    os.replace(GOLDEN + ".tmp", GOLDEN)
    print(f"extracted {len(rows)} objects from {len(real)} binaries "
          f"({len(links)} symlinks skipped) into {OUT_DIR}")


if __name__ == "__main__":
    main()
