#!/usr/bin/env python3
"""Assemble one kernel's "complete CO-RE outcome" golden for the libbpf-tools objects
(used by regen-core-logs.sh; Python 3 standard library only, no corecheck code).

    core_golden.py <kernel-label> <target-btf> <objects.tsv> <log-dir> <out.txt> <summary-rows.tsv>
                   [<libbpf-tools SUMMARY.tsv>]

For every tool in objects.tsv (column 1, in file order) it reads
    <log-dir>/<tool>.log        the whole relo-log output (relo-log <obj> --btf <target-btf>)
writes <log-dir>/<tool>.core.txt with relos_golden.py's --core-log filter (the same function
core_log_for in lib.sh runs, called in-process to save a Python start per object) and writes
<out.txt> (uncompressed; the caller compresses it):

    # header lines ("# ..."), among them "# kernel <label>" and "# btf-sha256 <hex>"
    === object <tool>
    <every --core-log line, verbatim, in libbpf's order>
    insn <prog> <idx> <16 hex digits>              (CO-RE-patched/poisoned instructions)
    # not captured: insn <prog> <idx>: <reason>     (only if the bytes could not be found)

insn lines: one per instruction that a "prog '<prog>': relo #i: patched insn #<idx> ..." or
"... substituting insn #<idx> w/ invalid insn" line names (plus <idx>+1 for a patched
LDIMM64, whose upper 32 bits live in the second slot), in the order libbpf patched them, each
instruction once.  <prog> and <idx> are exactly the program name and program-relative index
of that log line.  The bytes are relo-log's dump (bpf_program__insns after load, memory
order).  A main program's own instructions come first in its dump; a .text subprogram has
no dump of its own, so its bytes are read at its position inside a main program that calls
it: libbpf logs "prog '<main>': added <n> insns from sub-prog '<sub>'" in the order it
appends them, starting after the main program's own code ("code size <n> insns"), which
gives that position; the sum is checked against the dumped count and the bytes must agree
between every caller.  Every byte pattern is checked against the value libbpf logged
(imm / off / mem_sz / imm64 / poison call 0xbad2310); a mismatch is fatal.

Appends one row per object to <summary-rows.tsv>:
    kernel  object  relocations  patched  poisoned  status(ok|error)
relocations = distinct (prog, relo #) libbpf printed a "prog '<prog>': relo #<i>: " line for
(the relocations it attempted; = local-spec lines unless one failed before its spec was
printed), patched/poisoned = those with a
"patched insn" / "substituting insn" line, error = libbpf printed "failed to perform CO-RE
relocations".  With the optional libbpf-tools SUMMARY.tsv, relocations of an "ok" object
must equal its core_relos column (else fatal).
Prints "<not-captured count>" on stdout.
"""
import contextlib
import hashlib
import io
import os
import re
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import relos_golden  # noqa: E402  (tools/goldens/relos_golden.py)

FOUND_PROG_RE = re.compile(
    r"^sec '.*': found program '(.+)' at insn offset \d+ \(\d+ bytes\), code size (\d+) insns")
ADDED_RE = re.compile(r"^prog '(.+)': added (\d+) insns from sub-prog '(.+)'$")
DUMP_HDR_RE = re.compile(r"^== relo-log: insns (\S+) (\S+) (\d+)$")
INSN_RE = re.compile(r"^insn (\S+) (\d+) ([0-9a-f]{16})$")
RELO_RE = re.compile(r"^prog '(.+?)': relo #(\d+): ")
PATCH_RE = re.compile(
    r"^prog '(.+?)': relo #(\d+): patched insn #(\d+) \((ALU/ALU64|LDX/ST/STX|LDIMM64)\) "
    r"(imm|off|mem_sz|imm64) (\d+) -> (\d+)$")
POISON_RE = re.compile(r"^prog '(.+?)': relo #(\d+): substituting insn #(\d+) w/ invalid insn$")
CORE_FAILED_RE = re.compile(r"^failed to perform CO-RE relocations")
POISON_BYTES = "850000001023ad0b"  # call 0xbad2310 (BPF_JMP|BPF_CALL, all else 0), little-endian
SIZE_BYTES = {0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8}  # BPF_W, BPF_H, BPF_B, BPF_DW


def die(msg):
    """An error of the script run (this one, or selftests_golden.py, which shares these helpers)."""
    print(os.path.basename(sys.argv[0]) + ": error: " + msg, file=sys.stderr)
    sys.exit(1)


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().split("\n")


def parse_raw(path, lines=None):
    """own code size per program, subprog offsets per main program, dumped insns
    (from `lines` when the caller already read the relo-log output at `path`)."""
    own, added, dump, counts = {}, {}, {}, {}
    in_dump = False
    for line in lines if lines is not None else read_lines(path):
        if line.startswith("== relo-log: load ") or line.startswith("== relo-log: open failed"):
            in_dump = True  # the instruction dump follows libbpf's messages
            continue
        if in_dump:
            m = DUMP_HDR_RE.match(line)
            if m:
                dump[m.group(1)] = {}
                counts[m.group(1)] = int(m.group(3))
                continue
            m = INSN_RE.match(line)
            if m:
                dump[m.group(1)][int(m.group(2))] = m.group(3)
            continue
        m = FOUND_PROG_RE.match(line)
        if m:
            if m.group(1) in own:
                die("%s: program name '%s' seen twice" % (path, m.group(1)))
            own[m.group(1)] = int(m.group(2))
            continue
        m = ADDED_RE.match(line)
        if m:
            added.setdefault(m.group(1), []).append((m.group(3), int(m.group(2))))
    # layout of every main program that had sub-programs appended
    offsets = {}  # main -> {sub: sub_insn_off}
    for main, subs in added.items():
        if main not in own or main not in counts:
            die("%s: 'added ... insns' for unknown main program '%s'" % (path, main))
        cur, lay = own[main], {}
        for sub, n in subs:
            if sub in lay:
                die("%s: sub-program '%s' appended twice to '%s'" % (path, sub, main))
            if own.get(sub) != n:
                die("%s: sub-program '%s' size %s, appended %d" % (path, sub, own.get(sub), n))
            lay[sub] = cur
            cur += n
        if cur != counts[main]:
            die("%s: layout of '%s' gives %d insns, dump has %d" % (path, main, cur, counts[main]))
        offsets[main] = lay
    for p, d in dump.items():
        if len(d) != counts[p]:
            die("%s: dump of '%s' has %d of %d insns" % (path, p, len(d), counts[p]))
    return own, offsets, dump


def lookup(prog, idx, offsets, dump):
    """bytes of program-relative insn idx of prog, or (None, reason)."""
    if prog in dump:
        if idx not in dump[prog]:
            return None, "index beyond the dump of '%s'" % prog
        return dump[prog][idx], None
    found = {}
    for main, lay in offsets.items():
        if prog in lay:
            found[main] = dump[main].get(lay[prog] + idx)
    if not found:
        return None, ("sub-program '%s' was not appended to any main program "
                      "(libbpf stopped before relocating calls, or nothing calls it)" % prog)
    vals = set(found.values())
    if len(vals) != 1 or None in vals:
        die("sub-program '%s' insn #%d differs between callers: %s" % (prog, idx, found))
    return vals.pop(), None


def insn_fields(hexs):
    b = bytes.fromhex(hexs)
    code, regs, off, imm = struct.unpack("<BBhi", b)
    return code, regs, off, imm


def check(tool, prog, idx, kind, field, new, hexs, hexs2):
    """the dumped bytes must hold what libbpf says it wrote"""
    code, _regs, off, imm = insn_fields(hexs)
    ok = True
    if field == "imm":
        ok = (imm & 0xFFFFFFFF) == (new & 0xFFFFFFFF)
    elif field == "off":
        ok = off == new
    elif field == "mem_sz":
        ok = SIZE_BYTES[code & 0x18] == new
    elif field == "imm64":
        imm2 = insn_fields(hexs2)[3] if hexs2 else None
        ok = imm2 is not None and ((imm & 0xFFFFFFFF) | ((imm2 & 0xFFFFFFFF) << 32)) == new
    if not ok:
        die("%s: '%s' insn #%d is %s, libbpf logged %s %s %d" % (tool, prog, idx, hexs, kind, field, new))


def core_outcome(name, core):
    """What libbpf's CO-RE lines say: the relocations it reached, patched and poisoned (each a set of
    (prog, relo #)), the instructions to capture ((prog, idx, kind, field, new value), in log order;
    an LDIMM64's second half as field imm64-hi), and whether CO-RE failed."""
    relos, patched, poisoned = set(), set(), set()
    wanted, failed = [], False
    for line in core:
        m = RELO_RE.match(line)
        if m:
            relos.add((m.group(1), m.group(2)))
        m = PATCH_RE.match(line)
        if m:
            prog, relo, idx = m.group(1), m.group(2), int(m.group(3))
            patched.add((prog, relo))
            wanted.append((prog, idx, m.group(4), m.group(5), int(m.group(7))))
            if m.group(4) == "LDIMM64":
                wanted.append((prog, idx + 1, "LDIMM64", "imm64-hi", None))
        m = POISON_RE.match(line)
        if m:
            poisoned.add((m.group(1), m.group(2)))
            wanted.append((m.group(1), int(m.group(3)), "poison", "poison", None))
        if CORE_FAILED_RE.match(line):
            failed = True
    if patched & poisoned:
        die("%s: relocations both patched and poisoned: %s" % (name, sorted(patched & poisoned)))
    return relos, patched, poisoned, wanted, failed


def captured_insns(name, wanted, offsets, dump, not_captured):
    """`insn <prog> <idx> <hex>` once per wanted instruction, in order, after checking that its bytes
    hold what libbpf logged (the poison call for a poisoned one); and how many wanted were poison.
    An instruction the dump lacks goes to not_captured(prog, idx, why), once."""
    out, seen, poison_slots = [], set(), 0
    for prog, idx, kind, field, new in wanted:
        hexs, why = lookup(prog, idx, offsets, dump)
        if hexs is None:
            if (prog, idx) not in seen:
                seen.add((prog, idx))
                not_captured(prog, idx, why)
            continue
        if field == "poison":
            poison_slots += 1
            if hexs != POISON_BYTES:
                die("%s: '%s' insn #%d is %s, expected the poison call %s"
                    % (name, prog, idx, hexs, POISON_BYTES))
        elif field != "imm64-hi":
            hexs2 = lookup(prog, idx + 1, offsets, dump)[0] if field == "imm64" else None
            check(name, prog, idx, kind, field, new, hexs, hexs2)
        if (prog, idx) not in seen:
            seen.add((prog, idx))
            out.append("insn %s %d %s" % (prog, idx, hexs))
    return out, poison_slots


def core_log_for(tool, raw_path, core_path):
    """relos_golden.py --core-log <raw> <core> (in-process); fatal if libbpf could not open it"""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            relos_golden.core_log(raw_path, core_path)
    except SystemExit as e:
        die("%s: relos_golden --core-log exited %s on %s (libbpf could not open the object?)"
            % (tool, e.code, raw_path))


def object_section(tool, raw_path, core_path, summary_relos):
    core_log_for(tool, raw_path, core_path)
    core = [l for l in read_lines(core_path) if l]
    own, offsets, dump = parse_raw(raw_path)

    relos, patched, poisoned, wanted, failed = core_outcome(tool, core)
    missing = []
    out, _poison_slots = captured_insns(
        tool, wanted, offsets, dump,
        lambda prog, idx, why: missing.append("# not captured: insn %s %d: %s" % (prog, idx, why)))

    status = "error" if failed else "ok"
    if summary_relos is not None and status == "ok" and len(relos) != summary_relos.get(tool, -1):
        die("%s: %d relocations, test/goldens/libbpf-tools/SUMMARY.tsv says %s"
            % (tool, len(relos), summary_relos.get(tool)))
    lines = ["=== object " + tool] + core + out + missing
    return lines, (len(relos), len(patched), len(poisoned), status), len(missing)


def main():
    if len(sys.argv) not in (7, 8):
        die("usage: core_golden.py <label> <target-btf> <objects.tsv> <log-dir> <out.txt> "
            "<summary-rows.tsv> [<libbpf-tools SUMMARY.tsv>]")
    label, btf, objects, logdir, out_path, rows_path = sys.argv[1:7]
    summary_relos = None
    if len(sys.argv) == 8:
        summary_relos = {}
        for row in read_lines(sys.argv[7])[1:]:
            if row:
                f = row.split("\t")
                summary_relos[f[0]] = int(f[3])
    tools = [r.split("\t")[0] for r in read_lines(objects)[1:] if r]
    if not tools:
        die("no objects in " + objects)
    h = hashlib.sha256()
    with open(btf, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)

    text = [
        "# libbpf 1.5 CO-RE outcome of the %d libbpf-tools 0.26 objects against one kernel BTF"
        % len(tools),
        "# (generated by tools/goldens/regen-core-logs.sh; format in that script's header)",
        "# kernel " + label,
        "# btf-sha256 " + h.hexdigest(),
    ]
    rows, not_captured = [], 0
    for tool in tools:
        lines, (n, p, z, st), miss = object_section(
            tool, os.path.join(logdir, tool + ".log"), os.path.join(logdir, tool + ".core.txt"),
            summary_relos)
        text += lines
        rows.append("%s\t%s\t%d\t%d\t%d\t%s" % (label, tool, n, p, z, st))
        not_captured += miss
    with open(out_path + ".tmp", "w") as f:
        f.write("\n".join(text) + "\n")
    os.replace(out_path + ".tmp", out_path)
    with open(rows_path, "a") as f:
        f.write("\n".join(rows) + "\n")
    print(not_captured)


if __name__ == "__main__":
    main()
