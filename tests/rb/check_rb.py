#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Reviewer-bug regression tests (suite 'rb'; docs/reviewer-bugs.md).

Usage: check_rb.py LUSIM SCENARIO_DIR RB-nn

Each reviewer bug has a scenario that switches it on (a `bugs` line) and
expects the finding of a general oracle, and a fixed twin with the switch off
that expects the fix's errno and no findings. Both are run both ways:

  1. the bug scenario as written passes (the switch brings the bug back and
     the oracle catches it);
  2. the bug scenario with its `bugs` line removed fails (with the fix the
     expected finding does not fire);
  3. the fixed twin passes (no switch, no finding);
  4. the fixed twin with the switch on (--bug) fails.

A bug modelled as a correctness test without a switch (RB-13, RB-21) only
has step 3.
"""
import os
import subprocess
import sys
import tempfile

# id -> (bug scenario or None, fixed twin, switches for step 4)
RBS = {
    "RB-01": ("rb-01-pasid-dropped.lus", "rb-01-pasid-dropped-fixed.lus", ["RB-01"]),
    "RB-02": ("rb-02-warn-on-errno.lus", "rb-03-attach-after-preserve-fixed.lus",
              ["RB-02", "RB-03"]),
    "RB-03": ("rb-03-attach-after-preserve.lus", "rb-03-attach-after-preserve-fixed.lus",
              ["RB-03"]),
    # racy variants (issue 9), in corpus/race
    "RB-03-race": ("rb-03-race-preserve-attach.lus",
                   "rb-03-race-preserve-attach-fixed.lus", ["RB-03"]),
    "RB-05-race": ("rb-05-race-walk-destroy.lus",
                   "rb-05-race-walk-destroy-fixed.lus", ["RB-05"]),
    "RB-04": ("rb-04-xa-lock-sleep.lus", "rb-04-xa-lock-sleep-fixed.lus", ["RB-04"]),
    "RB-05": ("rb-05-unmarked-hwpt.lus", "rb-05-unmarked-hwpt-fixed.lus", ["RB-05"]),
    "RB-06": ("rb-06-memfd-not-preserved.lus", "rb-06-memfd-not-preserved-fixed.lus",
              ["RB-06"]),
    "RB-10": ("rb-10-global-hotplug-gate.lus", "rb-10-global-hotplug-gate-fixed.lus",
              ["RB-10"]),
    "RB-11": ("rb-11-double-domain-record.lus", "rb-11-double-domain-record-fixed.lus",
              ["RB-11"]),
    "RB-12": ("rb-12-raw-kho-iommu-pages.lus", "rb-12-raw-kho-iommu-pages-fixed.lus",
              ["RB-12"]),
    "RB-13": (None, "rb-13-restored-ownership.lus", []),
    "RB-15": ("rb-15-restored-domain-mutable.lus", "rb-15-restored-domain-mutable-fixed.lus",
              ["RB-15"]),
    "RB-21": (None, "rb-21-multi-hop.lus", []),
    # found by lusim (101..127), not in the reviewer catalog
    "RB-101": ("rb-101-group-sibling-preserve.lus",
               "rb-101-group-sibling-preserve-fixed.lus", ["RB-101"]),
}

failed = 0


def run(lusim, path, bugs=()):
    args = [lusim, "run", "-q"]
    for b in bugs:
        args += ["--bug", b]
    env = dict(os.environ)
    env.pop("LUSIM_BUGS", None)
    env.pop("LUSIM_SERIES", None)
    p = subprocess.run(args + [path], capture_output=True, text=True, env=env)
    return p.returncode, p.stdout + p.stderr


def expect(what, rc, want, out):
    global failed
    if rc == want:
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAIL: {what}: exit {rc}, wanted {want}")
        print(out[:4000])


def series(lusim, sdir, version, ids):
    """LUSIM_SERIES=VERSION turns on the posting's switches: each bug
    scenario, its `bugs` line removed, still finds its bug."""
    for rb in ids:
        bug = RBS[rb][0]
        with open(os.path.join(sdir, bug)) as f:
            text = [ln for ln in f if not ln.lstrip().startswith("bugs ")]
        with tempfile.NamedTemporaryFile("w", suffix=".lus", delete=False) as t:
            t.writelines(text)
            tmp = t.name
        env = dict(os.environ)
        env.pop("LUSIM_BUGS", None)
        env["LUSIM_SERIES"] = version
        try:
            p = subprocess.run([lusim, "run", "-q", tmp], capture_output=True,
                               text=True, env=env)
        finally:
            os.unlink(tmp)
        # the posting's other bugs may add findings of their own: what
        # counts is that every expect of this scenario still holds
        bad = [ln for ln in (p.stdout + p.stderr).splitlines()
               if ": FAIL: " in ln and "unexpected finding" not in ln]
        expect(f"LUSIM_SERIES={version} reproduces {rb} ({bug})",
               1 if bad else 0, 0, "\n".join(bad))
    env = dict(os.environ)
    env["LUSIM_SERIES"] = "no-such-version"
    p = subprocess.run([lusim, "run", "-q", os.path.join(sdir, RBS[ids[0]][1])],
                       capture_output=True, text=True, env=env)
    expect("an unknown LUSIM_SERIES is a usage error", p.returncode, 2,
           p.stdout + p.stderr)
    sys.exit(1 if failed else 0)


def main():
    if len(sys.argv) > 4 and sys.argv[3] == "--series":
        series(sys.argv[1], sys.argv[2], sys.argv[4], sys.argv[5:])
    lusim, sdir, rb = sys.argv[1:4]
    bug, fixed, switches = RBS[rb]
    if bug:
        path = os.path.join(sdir, bug)
        rc, out = run(lusim, path)
        expect(f"{bug} with the switch on finds the bug", rc, 0, out)
        with open(path) as f:
            text = [ln for ln in f if not ln.lstrip().startswith("bugs ")]
        with tempfile.NamedTemporaryFile("w", suffix=".lus", delete=False) as t:
            t.writelines(text)
            tmp = t.name
        try:
            rc, out = run(lusim, tmp)
        finally:
            os.unlink(tmp)
        expect(f"{bug} with the switch off does not reproduce it", rc, 1, out)
    path = os.path.join(sdir, fixed)
    rc, out = run(lusim, path)
    expect(f"{fixed} (switch off) passes", rc, 0, out)
    if switches:
        rc, out = run(lusim, path, switches)
        expect(f"{fixed} with --bug {','.join(switches)} fails", rc, 1, out)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
