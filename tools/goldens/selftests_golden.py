#!/usr/bin/env python3
"""Case table and goldens for the kernel selftests' CO-RE cases (used by build-selftests.sh;
Python 3 standard library only, no corecheck code).

    selftests_golden.py cases <core_reloc.c> <clang> <out-cases.tsv>
    selftests_golden.py goldens <cases.tsv> <log-dir> <golden-dir>
    selftests_golden.py one <case> <prog_name> <relo-log output> <golden>   (one golden, no table)

cases: reads the test_cases[] table of tools/testing/selftests/bpf/prog_tests/core_reloc.c,
expands its macros with the C preprocessor (<clang> -E -P: only the file's own #define lines
and the table are preprocessed, no header is needed) and writes one row per table entry, in
table order, then one row for the core_autosize selftest (prog_tests/core_autosize.c, whose
target BTF build-selftests.sh builds with selftests-autosize-btf.c):

    case  golden  program_object  target_btf  expected  prog_name  source

  case            .case_name verbatim ("probed:bitfields", "nesting___err_too_deep", ...)
  golden          file name of its golden: case with ':' replaced by '-', plus ".txt"
  program_object  .bpf_obj_file (file name in .cache/objects/selftests/)
  target_btf      .btf_src_file, or "-" when it is NULL (the case needs the running kernel's
                  vmlinux BTF or bpf_testmod's module BTF: skipped)
  expected        "fails" if the entry sets .fails, else "ok"; core_autosize: "fails" (the
                  golden loads every program, as the selftest's second load, which must fail;
                  its first load disables handle_signed and must succeed)
  prog_name       .prog_name (the program the selftest runs)
  source          "core_reloc.c" or "core_autosize.c"; entries with .needs_testmod /
                  .run_btfgen_fails / .relaxed_core_relocs get ",needs_testmod" etc. appended

goldens: for every row of <cases.tsv> with a target, reads <log-dir>/<golden>.log (relo-log
<program_object> --btf <target_btf>) and writes <golden-dir>/<golden>:

    <CO-RE log lines, verbatim, in libbpf's order>
    insn <prog> <idx> <16 hex digits>

  CO-RE log lines = libbpf lines that start with "CO-RE relocating ", "prog '<p>': relo "
  ("relo #<i>: ..." and the two formats without '#': "relo <i> at insn #<n> can't be ..." and
  "relo for [<id>] ..."), "unexpected kind " or "failed to perform CO-RE relocations".
  insn lines: one per instruction named by a "prog '<p>': relo #<i>: patched insn #<n> ..." or
  "... substituting insn #<n> w/ invalid insn" line (plus <n>+1 for a patched LDIMM64: its
  upper 32 bits live in the second slot), in the order libbpf wrote them, each instruction
  once; <prog>/<idx> exactly as in that log line, bytes from relo-log's post-load dump
  (memory order), checked against the value libbpf logged (imm, off, mem_sz, imm64;
  poison = call 0xbad2310 "850000001023ad0b"; the same rules as core_golden.py).  Sub-program
  instructions are read inside the main programs they were appended to (all copies agree).

and writes <golden-dir>/CASES.tsv (header + one row per golden, in table order):

    case  program_object  target_btf  expected  libbpf_result  relocations  poisoned
          patched  poisoned_insns  load  golden

  libbpf_result   "error" if libbpf printed "failed to perform CO-RE relocations", else "ok"
  relocations     distinct (prog, relo #i) libbpf printed a "prog '<p>': relo #<i>: " line for
  poisoned        relocations with a "substituting insn" line; patched = with a "patched insn" line
  poisoned_insns  instruction slots poisoned (a poisoned LDIMM64 counts 2)
  load            what the real load into the running kernel gave (host-dependent verifier):
                  "ok", "not-loaded" (CO-RE failed, no program reached the kernel),
                  "rejected-poison" (the verifier reached a CO-RE-poisoned instruction: libbpf's
                  rewritten verifier log says "<N>: <invalid CO-RE relocation>" / "failed to
                  resolve CO-RE relocation ...", or, unrewritten, "invalid func
                  unknown#195896080"), "rejected-other" (anything else)
  golden          the golden's file name

and <golden-dir>/SKIPPED.txt (header + "case<TAB>program_object<TAB>reason").  Prints one line
per case whose outcome contradicts the table's expectation to stdout ("contradiction: ...").
"""
import os
import re
import subprocess
import sys

CASES_HEADER = "case\tgolden\tprogram_object\ttarget_btf\texpected\tprog_name\tsource"
GOLDEN_HEADER = ("case\tprogram_object\ttarget_btf\texpected\tlibbpf_result\trelocations\tpoisoned"
                 "\tpatched\tpoisoned_insns\tload\tgolden")
SKIPPED_HEADER = "case\tprogram_object\treason"

AUTOSIZE_ROW = ("core_autosize", "test_core_autosize.bpf.o", "btf__core_autosize.btf", "fails",
                "handle_signed", "core_autosize.c")

CORE_LINE_RE = re.compile(
    r"^CO-RE relocating |^prog '[^']*': relo |^unexpected kind |^failed to perform CO-RE relocations")
LOAD_RE = re.compile(r"^== relo-log: (load ok|load failed: .*)$")

# relo-log dump parsing, the CO-RE lines' outcome, the byte checks and the error helper are core_golden.py's
# (the libbpf-tools goldens)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_golden import captured_insns, core_outcome, die, parse_raw, read_lines  # noqa: E402


def golden_name(case):
    return case.replace(":", "-") + ".txt"


# ---- cases -----------------------------------------------------------------------------

TOKEN_RE = re.compile(r'\s+|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_]\w*|\d\w*|.', re.S)


def tokens(text):
    return [t for t in TOKEN_RE.findall(text) if not t.isspace()]


def c_string(toks):
    """value of a sequence of adjacent string literals, None for NULL"""
    if toks == ["NULL"] or toks == ["(", "(", "void", "*", ")", "0", ")"]:
        return None
    if not toks or not all(t.startswith('"') for t in toks):
        die("expected a string literal, got %r" % " ".join(toks))
    out = ""
    for t in toks:
        s = t[1:-1]
        if "\\" in s:
            die("escape sequences not supported in %s" % t)
        out += s
    return out


def parse_entry(toks):
    """designated initializer tokens of one table entry (without its braces) -> dict"""
    fields, depth = {}, 0
    # split at depth-0 commas into ".field = value" items
    items, cur = [], []
    for t in toks:
        if t in "({[":
            depth += 1
        elif t in ")}]":
            depth -= 1
        if t == "," and depth == 0:
            items.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        items.append(cur)
    for it in items:
        if len(it) < 3 or it[0] != "." or it[2] != "=":
            die("unexpected table item %r" % " ".join(it[:8]))
        fields[it[1]] = it[3:]
    return fields


def cases(core_reloc_c, clang, out_path):
    with open(core_reloc_c) as f:
        src = f.read()
    defines, lines, i = [], src.split("\n"), 0
    while i < len(lines):
        if lines[i].startswith("#define"):
            while lines[i].endswith("\\"):
                defines.append(lines[i])
                i += 1
            defines.append(lines[i])
        i += 1
    m = re.search(r"static const struct core_reloc_test_case test_cases\[\] = \{(.*?)\n\};", src, re.S)
    if not m:
        die("test_cases[] table not found in " + core_reloc_c)
    text = "\n".join(defines) + "\n" + m.group(1) + "\n"
    try:
        expanded = subprocess.run([clang, "-E", "-P", "-x", "c", "-"], input=text,
                                  capture_output=True, text=True, check=True).stdout
    except subprocess.CalledProcessError as e:
        die("%s -E failed on the test_cases[] table: %s" % (clang, e.stderr.strip()))
    toks = tokens(expanded)
    entries, depth, start = [], 0, None
    for k, t in enumerate(toks):
        if t in "({[":
            if depth == 0:
                if t != "{":
                    die("table entry does not start with '{': %r" % " ".join(toks[k:k + 8]))
                start = k
            depth += 1
        elif t in ")}]":
            depth -= 1
            if depth == 0:
                entries.append(parse_entry(toks[start + 1:k]))
        elif depth == 0 and t != ",":
            die("unexpected token %r between table entries" % t)
    rows, seen = [], set()
    for e in entries:
        for req in ("case_name", "bpf_obj_file", "prog_name"):
            if req not in e:
                die("table entry without .%s: %r" % (req, e))
        case = c_string(e["case_name"])
        if case in seen:
            die("case '%s' twice in the table" % case)
        seen.add(case)
        btf = c_string(e["btf_src_file"]) if "btf_src_file" in e else None
        flags = [f for f in ("needs_testmod", "run_btfgen_fails", "relaxed_core_relocs")
                 if e.get(f) == ["true"]]
        for f in ("fails",) + tuple(flags):
            if f in e and e[f] not in (["true"], ["false"]):
                die("case '%s': .%s = %r" % (case, f, e[f]))
        rows.append((case, c_string(e["bpf_obj_file"]), btf or "-",
                     "fails" if e.get("fails") == ["true"] else "ok",
                     c_string(e["prog_name"]), ",".join(["core_reloc.c"] + flags)))
    if len(rows) < 10:
        die("only %d cases parsed from %s" % (len(rows), core_reloc_c))
    rows.append(AUTOSIZE_ROW)
    with open(out_path + ".tmp", "w") as f:
        f.write(CASES_HEADER + "\n")
        for r in rows:
            f.write("\t".join((r[0], golden_name(r[0])) + r[1:]) + "\n")
    os.replace(out_path + ".tmp", out_path)
    print(len(rows))


# ---- goldens ---------------------------------------------------------------------------

def read_rows(path):
    lines = [l for l in read_lines(path) if l]
    if not lines or lines[0] != CASES_HEADER:
        die("%s: bad header" % path)
    return [l.split("\t") for l in lines[1:]]


def one_golden(case, prog_name, log_path, out_path):
    raw = read_lines(log_path)
    if any(l.startswith("== relo-log: open failed") for l in raw):
        die("%s: libbpf could not open the object (%s)" % (case, log_path))
    loads = [LOAD_RE.match(l).group(1) for l in raw if LOAD_RE.match(l)]
    if len(loads) != 1:
        die("%s: no '== relo-log: load' line in %s" % (case, log_path))
    if ("== relo-log: insns %s " % prog_name) not in "\n".join(raw):
        die("%s: program '%s' (the selftest's .prog_name) not in the object" % (case, prog_name))
    core = [l for l in raw if CORE_LINE_RE.search(l)]
    _own, offsets, dump = parse_raw(log_path, raw)

    relos, patched, poisoned, wanted, failed = core_outcome(case, core)
    out, poison_slots = captured_insns(
        case, wanted, offsets, dump,
        lambda prog, idx, why: die("%s: insn %s %d not captured: %s" % (case, prog, idx, why)))

    with open(out_path + ".tmp", "w") as f:
        f.write("\n".join(core + out) + "\n")
    os.replace(out_path + ".tmp", out_path)

    text = "\n".join(raw)
    if loads[0] == "load ok":
        load = "ok"
    elif failed:
        load = "not-loaded"
    elif ": <invalid CO-RE relocation>\nfailed to resolve CO-RE relocation " in text \
            or "invalid func unknown#195896080" in text:
        load = "rejected-poison"
    else:
        load = "rejected-other"
    return ("error" if failed else "ok", len(relos), len(poisoned), len(patched), poison_slots, load)


def goldens(cases_tsv, logdir, gdir):
    rows, skipped, contradictions = [], [], []
    for case, gname, obj, btf, expected, prog, source in read_rows(cases_tsv):
        if btf == "-":
            what = ("bpf_testmod's module BTF (needs_testmod; the module is not built here)"
                    if "needs_testmod" in source.split(",") else "the running kernel's vmlinux BTF")
            skipped.append("%s\t%s\tbtf_src_file is NULL: the target is %s, "
                           "not a fixed BTF file" % (case, obj, what))
            continue
        res, n, z, p, zi, load = one_golden(case, prog, os.path.join(logdir, gname[:-4] + ".log"),
                                            os.path.join(gdir, gname))
        rows.append("%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s"
                    % (case, obj, btf, expected, res, n, z, p, zi, load, gname))
        if expected == "ok" and (res != "ok" or load != "ok"):
            contradictions.append("%s: expected ok, CO-RE %s, load %s" % (case, res, load))
        if expected == "fails" and load == "ok":
            contradictions.append("%s: expected fails, but CO-RE %s and the load succeeded%s"
                                  % (case, res, " (%d poisoned insns not reachable)" % zi if zi else ""))
    for name, header, body in (("CASES.tsv", GOLDEN_HEADER, rows),
                               ("SKIPPED.txt", SKIPPED_HEADER, skipped)):
        path = os.path.join(gdir, name)
        with open(path + ".tmp", "w") as f:
            f.write("\n".join([header] + body) + "\n")
        os.replace(path + ".tmp", path)
    for c in contradictions:
        print("contradiction: " + c)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "cases":
        cases(*sys.argv[2:5])
    elif len(sys.argv) == 5 and sys.argv[1] == "goldens":
        goldens(*sys.argv[2:5])
    elif len(sys.argv) == 6 and sys.argv[1] == "one":
        one_golden(*sys.argv[2:6])
    else:
        die("usage: selftests_golden.py cases <core_reloc.c> <clang> <out.tsv> | "
            "goldens <cases.tsv> <log-dir> <golden-dir> | one <case> <prog> <log> <golden>")


if __name__ == "__main__":
    main()
