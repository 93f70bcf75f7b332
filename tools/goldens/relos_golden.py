#!/usr/bin/env python3
"""Turn one relo-log run into a relocation-list golden (used by regen-relos.sh and
build-fixtures.sh; Python 3 standard library only, no corecheck code).

    relos_golden.py <relo-log-output.txt> <object.o> <golden.relos.txt>
    relos_golden.py --core-log <relo-log-output.txt> <golden.core.txt>

--core-log keeps every line of libbpf's CO-RE log (sec ... found N CO-RE relocations,
CO-RE relocating ..., every prog '...': relo ... line incl. candidates, patches and
errors, failed to perform CO-RE relocations ...), verbatim and in order; for goldens
against a fixed target BTF (the target type ids in them depend on that BTF).  Writes
nothing and exits 3 if libbpf could not open the object.

Golden format (<name>.relos.txt), lines copied verbatim from libbpf 1.5's log in
libbpf's order:

    sec '<sec>': found <N> CO-RE relocations
    prog '<prog>': relo #<i>: <<kind>> [<id>] ...          (first "relo #i: <" line of each
                                                           relocation = its local spec)
    sec '<sec>': skipping CO-RE relocation #<i> ...        (only if libbpf prints it:
                                                           reloc in an eliminated weak subprog)
then optional trailing comment lines, each starting with "# ":
    # no CO-RE relocations          the object has none (file has no other line)
    # partial: <reason>             libbpf stopped early (hard error, or CO-RE never ran); the
                                    list above is incomplete; several such lines may follow

If libbpf cannot open the object, no golden is written and the script exits 3
after printing "open-failed\t<btf_ext_relos>\t<reason>" (the caller records it in
SKIPPED.txt).

On success prints one TSV summary line:
    programs  core_sections  core_relos  btf_ext_relos  status(complete|none|partial)
where programs = programs libbpf exposes (bpf_object__for_each_program, i.e. without
.text subprograms), core_relos = local-spec lines written, btf_ext_relos = the record
count read independently from the object's .BTF.ext header.
"""
import os
import re
import struct
import sys

SEC_RE = re.compile(r"^sec '(.*)': found (\d+) CO-RE relocations$")
SKIP_RE = re.compile(r"^sec '(.*)': skipping CO-RE relocation #\d+ ")
RELO_RE = re.compile(r"^prog '(.*?)': relo #(\d+): (.*)$")
# libbpf 1.5 messages after which bpf_object__relocate_core gives up (libbpf.c / relo_core.c)
# the trailer of each hard error libbpf stopped at (relo_core_check.py reads it back)
HARD_ERROR_TRAILER = "# partial: libbpf stopped at a hard error: "
HARD_ERR_RE = re.compile(
    r"failed to relocate: |failed to patch insn #|failed to perform CO-RE relocations|"
    r"target candidate search failed|failed to parse target BTF|failed to record relocation|"
    r"\(LDIMM64\) is truncated|: parsing \[\d+\] .* failed: |relocation doesn't support anonymous types|"
    r"unrecognized CO-RE relocation|failed to load vmlinux BTF|failed to find valid kernel BTF")


def btf_ext_core_relo_count(path):
    """Number of bpf_core_relo records in the object's .BTF.ext (0 if none)."""
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:4] != b"\x7fELF" or buf[4] != 2:
        return 0
    e = "<" if buf[5] == 1 else ">"
    shoff, = struct.unpack_from(e + "Q", buf, 0x28)
    shnum, shstrndx = struct.unpack_from(e + "HH", buf, 0x3C)
    shdrs = [struct.unpack_from(e + "IIQQQQIIQQ", buf, shoff + i * 64) for i in range(shnum)]
    stroff = shdrs[shstrndx][4]
    for sh in shdrs:
        name = buf[stroff + sh[0]:buf.index(b"\0", stroff + sh[0])]
        if name != b".BTF.ext":
            continue
        off = sh[4]
        magic, _ver, _flags, hdr_len = struct.unpack_from(e + "HBBI", buf, off)
        if magic != 0xEB9F or hdr_len < 32:
            return 0
        core_off, core_len = struct.unpack_from(e + "II", buf, off + 24)
        if core_len == 0:
            return 0
        p = off + hdr_len + core_off
        end = p + core_len
        rec_size, = struct.unpack_from(e + "I", buf, p)
        p += 4
        n = 0
        while p < end:
            _sec, num = struct.unpack_from(e + "II", buf, p)
            p += 8 + num * rec_size
            n += num
        return n
    return 0


CORE_LOG_RE = re.compile(
    r"^sec '.*': (found \d+ CO-RE relocations|skipping CO-RE relocation #)|^CO-RE relocating |"
    r"^prog '.*?': relo[ #]|^prog '.*?': relo for \[|^failed to perform CO-RE relocations|"
    r"^unexpected kind |^failed to parse target BTF")


def core_log(log_path, out_path):
    """--core-log: keep every CO-RE line libbpf printed (the whole relocation log)."""
    with open(log_path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    if any(l.startswith("== relo-log: open failed") for l in lines):
        print("open-failed")
        sys.exit(3)
    out = [l for l in lines if CORE_LOG_RE.search(l)]
    with open(out_path + ".tmp", "w") as f:
        f.write("\n".join(out) + "\n")
    os.replace(out_path + ".tmp", out_path)
    print(len(out))


def main():
    if sys.argv[1] == "--core-log":
        core_log(sys.argv[2], sys.argv[3])
        return
    log_path, obj_path, out_path = sys.argv[1:4]
    with open(log_path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    btf_ext = btf_ext_core_relo_count(obj_path)

    out, errors, seen = [], [], set()
    sections = relos = skipped = programs = 0
    announced = 0
    opened = True
    sec = None
    for line in lines:
        if line.startswith("== relo-log: open failed"):
            opened = False
        if line.startswith("== relo-log: insns "):
            programs += 1
        if line.startswith("== relo-log: ") or line.startswith("insn "):
            continue
        m = SEC_RE.match(line)
        if m:
            sec = m.group(1)
            sections += 1
            announced += int(m.group(2))
            out.append(line)
            continue
        if SKIP_RE.match(line):
            skipped += 1
            out.append(line)
            continue
        m = RELO_RE.match(line)
        if m and sec is not None:
            key = (sec, m.group(1), m.group(2))
            if key not in seen and m.group(3).startswith("<"):
                seen.add(key)
                out.append(line)
                relos += 1
        if HARD_ERR_RE.search(line):
            errors.append(line)

    if not opened:
        warn = [l for l in lines if l and not l.startswith("== relo-log: ")
                and not l.startswith("insn ")]
        reason = warn[-1] if warn else "no libbpf message"
        print("open-failed\t%d\t%s" % (btf_ext, reason))
        sys.exit(3)

    trailer = []
    if errors:
        trailer += [HARD_ERROR_TRAILER + l for l in errors]
    if sections == 0 and btf_ext > 0 and not errors:
        trailer.append("# partial: libbpf printed no CO-RE log although .BTF.ext has %d records"
                       % btf_ext)
    elif not errors and (relos + skipped != btf_ext or announced != btf_ext):
        trailer.append("# partial: libbpf announced %d and printed %d local specs + %d skipped,"
                       " .BTF.ext has %d records" % (announced, relos, skipped, btf_ext))
    if sections == 0 and btf_ext == 0 and not trailer:
        status = "none"
        out = ["# no CO-RE relocations"]
    elif trailer:
        status = "partial"
    else:
        status = "complete"
    with open(out_path + ".tmp", "w") as f:
        f.write("\n".join(out + trailer) + "\n")
    os.replace(out_path + ".tmp", out_path)
    print("%d\t%d\t%d\t%d\t%s" % (programs, sections, relos, btf_ext, status))


if __name__ == "__main__":
    main()
