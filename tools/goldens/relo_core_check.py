#!/usr/bin/env python3
"""Check relo-core (libbpf 1.5's CO-RE step called directly) against the loader path (relo-log,
the committed goldens) on little-endian objects, where both exist.  Used by regen-be.sh; Python 3
standard library only, no corecheck code.

    relo_core_check.py list <object.o> <golden.relos.txt>
        relo-core --list, turned into a golden by relos_golden.py, must equal the committed
        golden byte for byte (# partial: trailers included); or, where the golden stops at a
        hard error of the target stage (a patch that fails against the BTF it was made with),
        begin with everything the golden lists before it.
    relo_core_check.py btf <object.o> <target-btf>          (root: relo-log loads the object)
        relo-core --btf and relo-log --btf on the same target: the CO-RE log lines (the
        relos_golden.py --core-log selection: sec ... CO-RE, CO-RE relocating, prog '...': relo
        ..., failed to perform CO-RE relocations, ...) must be identical, and every instruction
        relo-core patched must have the same 8 bytes in relo-log's post-load dump: for a main
        program at the same index; for a .text subprogram in one of the copies libbpf appended
        to a main program (located by the subprogram's own instructions, ignoring the call /
        ldimm64 immediates and src_reg that later relocations rewrite).  A subprogram no main
        program calls has no copy ("not appended"), which is not a failure.

Prints one line per object: MATCH | DIFF | SKIP (relo-log cannot open the object), key=value
counts, then the first differences indented.  Exit status 1 if the line is DIFF.
"""
import difflib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RELO_CORE = os.path.join(ROOT, ".cache", "bin", "relo-core")
RELO_LOG = os.path.join(ROOT, ".cache", "bin", "relo-log")
sys.dont_write_bytecode = True  # no __pycache__ in tools/goldens
sys.path.insert(0, HERE)
from relos_golden import CORE_LOG_RE, HARD_ERROR_TRAILER  # noqa: E402


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        sys.exit("relo_core_check.py: error: %s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr))
    return r.stdout.split("\n")


def check_list(obj, golden):
    name = os.path.basename(obj)
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "list.txt")
        out = os.path.join(tmp, "golden.txt")
        with open(log, "w") as f:
            f.write("\n".join(run([RELO_CORE, obj, "--list"])))
        r = subprocess.run([sys.executable, os.path.join(HERE, "relos_golden.py"), log, obj, out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("relo_core_check.py: error: relos_golden.py failed on %s: %s" % (obj, r.stderr))
        with open(out) as f:
            ours = f.read().split("\n")
    with open(golden) as f:
        theirs = f.read().split("\n")
    ok = ours == theirs
    note = ""
    if not ok and stopped_at_target(theirs, ours):
        ok = True
        note = " (its prefix: the golden stops at a hard error of the target stage, which --list has no target to reach)"
    print("%s %s lines=%d%s" % ("MATCH" if ok else "DIFF", name, len(theirs) - 1, note))
    if not ok:
        for l in list(difflib.unified_diff(theirs, ours, "golden", "relo-core", lineterm="", n=0))[:12]:
            print("    " + l)
    return ok


def stopped_at_target(golden, listed):
    """Whether the golden ends at a hard error that --list cannot give (it has no target: a patch or
    a candidate that fails against the BTF the golden was made with), and everything before it
    is --list's output unchanged: --list reports no error and goes on to the later relocations."""
    if not any(l.startswith(HARD_ERROR_TRAILER) for l in golden) or any(l.startswith("# partial:") for l in listed):
        return False
    before = [l for l in golden if l and not l.startswith("# partial:")]
    return [l for l in listed if l][:len(before)] == before


def insns(lines):
    d = {}
    for l in lines:
        if l.startswith("insn "):
            _, prog, idx, hexa = l.split(" ")
            d.setdefault(prog, {})[int(idx)] = hexa
    return d


def masked(seq):
    """instructions with the fields later (non-CO-RE) relocations rewrite blanked out:
    calls (src_reg, imm) and both slots of ldimm64 (src_reg, imm: map fds, data, subprogs)"""
    out, second = [], False
    for h in seq:
        code = int(h[:2], 16)
        if code in (0x85, 0x18) or second:
            out.append(h[:2] + "x" + h[3:8] + "????????")
        else:
            out.append(h)
        second = code == 0x18 and not second
    return out


def check_btf(obj, target):
    name = os.path.basename(obj)
    a = run([RELO_LOG, obj, "--btf", target])
    b = run([RELO_CORE, obj, "--btf", target])
    full = insns(run([RELO_CORE, obj, "--btf", target, "--all-insns"]))
    if any(l.startswith("== relo-log: open failed") for l in a):
        print("SKIP %s relo-log: libbpf cannot open it" % name)
        return True
    la = [l for l in a if CORE_LOG_RE.search(l)]
    lb = [l for l in b if CORE_LOG_RE.search(l)]
    ia, ib = insns(a), insns(b)
    bad = []
    n_main = n_sub = n_sub_found = n_unreached = 0
    for prog, patched in ib.items():
        if prog in ia:  # a main program: same indexes
            for idx, h in patched.items():
                n_main += 1
                if ia[prog].get(idx) != h:
                    bad.append("insn %s %d: relo-core %s relo-log %s" % (prog, idx, h, ia[prog].get(idx)))
            continue
        sub = [full[prog][i] for i in range(len(full[prog]))]

        def loose(seq):  # masked, and the CO-RE-patched slots blanked too
            return [("?" * 16 if i in patched else h) for i, h in enumerate(masked(seq))]
        want = loose(sub)
        copies = exact = 0
        for q, qi in ia.items():
            dump = [qi[i] for i in range(len(qi))]
            for s in range(len(full.get(q, {})), len(dump) - len(sub) + 1):
                if loose(dump[s:s + len(sub)]) == want:
                    copies += 1
                    exact += all(dump[s + i] == h for i, h in patched.items())
        n_sub += len(patched)
        if copies and exact == copies:
            n_sub_found += len(patched)
        elif copies:
            bad.append("subprog %s: %d of %d appended copies differ from relo-core's bytes"
                       % (prog, copies - exact, copies))
        else:
            n_unreached += len(patched)
    res = next((l[len("== relo-core: result "):] for l in b if l.startswith("== relo-core: result ")), "?")
    ok = la == lb and not bad
    print("%s %s log_lines=%d main_insns=%d subprog_insns=%d located=%d not_appended=%d result=%s"
          % ("MATCH" if ok else "DIFF", name, len(lb), n_main, n_sub, n_sub_found, n_unreached, res))
    if la != lb:
        for l in list(difflib.unified_diff(la, lb, "relo-log", "relo-core", lineterm="", n=0))[:12]:
            print("    " + l)
    for l in bad[:8]:
        print("    " + l)
    return ok


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("list", "btf"):
        sys.exit(__doc__)
    for b in (RELO_CORE,) + ((RELO_LOG,) if sys.argv[1] == "btf" else ()):
        if not os.access(b, os.X_OK):
            sys.exit("relo_core_check.py: error: %s missing (run tools/goldens/build-relo-core.sh)" % b)
    ok = (check_list if sys.argv[1] == "list" else check_btf)(sys.argv[2], sys.argv[3])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
