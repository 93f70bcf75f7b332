#!/usr/bin/env python3
"""Compare the live goldens (test/goldens/live/<release>/<object>.tsv: the kernel's own verifier)
with test/goldens/verdicts/<object>.tsv (this host's 6.18 verifier, CO-RE against the corpus BTF of
the same release) and write test/goldens/live/DIFF-verdicts.tsv:

  release  object  program  verdicts  live  live_detail

one row per program whose outcome differs (loads vs fails), for every live kernel that has a corpus
row (label debian/<version>/x86_64/<release>) and every object with both goldens. `verdicts` is the
host-6.18 verdict (`excluded` = tracing/lsm/ext/struct_ops, not judged there); `live` and
`live_detail` as in the live golden. Rows where either side is `artifact`, `excluded` or
`not-loaded` are not differences and are left out, except `excluded` against a live failure (the
6.18 run could not see it). Run by regen-live.sh; no root, <1 s.

  python3 tools/goldens/live_vs_verdicts.py
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIVE = os.path.join(ROOT, "test", "goldens", "live")
VERD = os.path.join(ROOT, "test", "goldens", "verdicts")


def outcome(v):
    if v == "loads":
        return "loads"
    if v.startswith("fails") or v == "core-error":
        return "fails"
    return None


def main():
    kernels = [l.split("\t") for l in open(os.path.join(LIVE, "KERNELS.tsv")).read().splitlines()[1:]]
    rows = []
    for k in kernels:
        rel, archive = k[0], k[5]
        label = archive[: -len(".btf.tar.xz")]
        d = os.path.join(LIVE, rel)
        for f in sorted(os.listdir(d)):
            obj = f[: -len(".tsv")]
            vf = os.path.join(VERD, f)
            if not os.path.exists(vf):
                continue
            ver = {}
            for line in open(vf).read().splitlines()[1:]:
                kern, prog, verdict, _ = (line.split("\t") + [""])[:4]
                if kern == label:
                    ver[prog] = verdict
            if not ver:
                continue
            for line in open(os.path.join(d, f)).read().splitlines()[1:]:
                prog, verdict, detail = (line.split("\t") + ["", ""])[:3]
                if prog == "(object)" or prog not in ver:
                    continue
                a, b = outcome(ver[prog]), outcome(verdict)
                if (a and b and a != b) or (ver[prog] == "excluded" and b == "fails"):
                    rows.append((rel, obj, prog, ver[prog], verdict, detail))
    with open(os.path.join(LIVE, "DIFF-verdicts.tsv"), "w") as out:
        out.write("release\tobject\tprogram\tverdicts\tlive\tlive_detail\n")
        for r in sorted(rows):
            out.write("\t".join(r) + "\n")
    print("live_vs_verdicts.py: %d differences -> %s" % (len(rows), os.path.join(LIVE, "DIFF-verdicts.tsv")))


if __name__ == "__main__":
    sys.exit(main())
