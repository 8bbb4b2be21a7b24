#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Rediscovery benchmark for the reviewer-bug switches (issue 8; run by
hand, not in the test suite; results in docs/reviewer-bugs.md).

For each reviewer bug, start the fuzz_ops libFuzzer binary from an EMPTY
corpus (or, with --general-seeds, the general scenarios' seeds; --seq-dict
adds op-record sequences of those scenarios to the dictionary) with the fuzz_ops dictionary, one process, the bug's switches on
(LUSIM_BUGS), for several seeds; a run stops when a finding fires (fuzz
builds abort on the first finding) or after --max-time seconds. A run
counts as a rediscovery only when the finding that stopped it is one of
the bug's ids. Prints time and executions per run, then median and worst
per bug (a run that found nothing counts as > max-time).

Build (clang, libFuzzer, no sanitizers, so executions are cheap):
  CC=clang meson setup build-fuzz-plain -Dfuzzing=libfuzzer -Dbenchmarks=false
  ninja -C build-fuzz-plain fuzz/fuzz_ops
Run:
  tools/rediscover.py --fuzzer build-fuzz-plain/fuzz/fuzz_ops [--seeds 1,2,3]
                      [--max-time 60] [RB-04 ...]
"""
import argparse
import configparser
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# bug -> (switches, findings that count as the bug: "ID" or "ID@site-part",
# the site part matched against the finding's message and "at" line). A WARN
# only counts at the bug's own site: other WARNs are other bugs.
BUGS = {
    "RB-01": ("RB-01", ["INV-PASID-DROPPED"]),
    "RB-02": ("RB-02,RB-03", ["INV-DEV-ATTACH-CHANGED", "WARN@iommufd/device.c"]),
    "RB-03": ("RB-03", ["INV-DEV-ATTACH-CHANGED", "WARN@iommufd/device.c"]),
    "RB-04": ("RB-04", ["LOCK-SLEEP-IN-ATOMIC", "LOCK-ORDER-CYCLE"]),
    "RB-06": ("RB-06", ["INV-DMA-PAGE-UNPRESERVED", "INV-PT-PAGE-UNPRESERVED"]),
    "RB-10": ("RB-10", ["INV-LU-INTERFERENCE"]),
    "RB-11": ("RB-11", ["INV-DOUBLE-RECORD"]),
    "RB-12": ("RB-12", ["VMSTAT-UNBALANCED"]),
    "RB-101": ("RB-101", ["INV-OWNERSHIP", "INV-RESTORE-TRANSLATION",
                          "INV-RESTORED-PAGES"]),
}

# Known findings unrelated to any switch (model bugs found while measuring),
# suppressed so that they do not end a run: LUSIM_SUPPRESS syntax.
# fuzz/known-findings.supp is passed as well (LUSIM_SUPPRESSIONS).
KNOWN = [
    "WARN@kernel-shim/kernel/liveupdate/luo_session.c:535",
    "WARN@sim/drivers/iommu/iommu.c:1314",
    "SLAB-LEAK@kernel-shim/kernel/liveupdate/luo_session.c:96",
    # fault injection in luo_open / memfd_write: the failed op leaves
    # changes behind (reported; unrelated to every switch)
    "ATOMIC-ERROR-PATH@luo_open",
    "ATOMIC-ERROR-PATH@luo_session.c:96",
    "ATOMIC-ERROR-PATH@memfd_write",
    "ATOMIC-ERROR-PATH@shmem.c:138",
    # (the group-sibling INV-OWNERSHIP/INV-RESTORE-*@device_ser entries
    # are gone: the model has the singleton-group rule and RB-101 is
    # measured as a switch)
    # IOMMU_IOAS_UNMAP over a whole and a partial area: -ENOENT after
    # unmapping the first (as the kernel does)
    "ATOMIC-ERROR-PATH@io_pagetable.c:254",
    # after the kexec: kho_restore_folio() of a page that is not preserved
    # (the hot-remove path above); a failed preserve (-EFAULT) not undone
    "ATOMIC-ERROR-PATH@luo_file.c:226",
    # a failed ioas_map_file (-EFAULT) leaves its pages pinned
    "ATOMIC-ERROR-PATH@pages.c:51",
    # the refcount underflow of fuzz/known-findings.supp, reported at its
    # other site: test_detach of the second function of a two-function
    # group while the first is attached (docs/reviewer-bugs.md)
    "REFCOUNT-DEC-LEAK@iommufd/main.c:195",
    "WARN@iommufd_private.h:211",
    # ... and its consequences at the teardown when the refcount finding
    # is suppressed (stopped an RB-10 run on 25 Nov; no RB finding is a
    # leak, so these do not hide a rediscovery)
    "SLAB-LEAK@fs/file.c:30",
    "PAGE-LEAK@iommu-pages.c:65",
    # found 25 Nov 2026 (no switch needed): a retrieve after the kexec
    # that fails with an injected -ENOMEM leaves a change behind
    # (docs/reviewer-bugs.md, "Findings that stopped runs")
    "ATOMIC-ERROR-PATH@retrieve",
]
SUPP_FILE = os.path.join(ROOT, "fuzz", "known-findings.supp")

def target_options():
    """libFuzzer flags from fuzz/fuzz_ops.options (max_len=512: the
    target's own limit, as fuzz/summary.py and OSS-Fuzz pass it), the
    dictionary excepted (passed on its own)."""
    cp = configparser.ConfigParser()
    cp.read(os.path.join(ROOT, "fuzz", "fuzz_ops.options"))
    if not cp.has_section("libfuzzer"):
        return []
    return [f"-{k}={v}" for k, v in cp.items("libfuzzer") if k != "dict"]


FINDING = re.compile(r"lusim: finding ([A-Z0-9-]+)[^\n]*(?:\n  at ([^\n]*))?")
EXECS = re.compile(r"stat::number_of_executed_units:\s*(\d+)")
PROGRESS = re.compile(r"^#(\d+)\s", re.M)


def one_run(fuzzer, dict_path, switches, seed, max_time, seeds_from=None,
            keep_dir=None, no_macros=False):
    work = tempfile.mkdtemp(prefix="rediscover-")
    corpus = os.path.join(work, "corpus")
    os.mkdir(corpus)
    if seeds_from:
        # --general-seeds: the committed general scenarios' seeds, never
        # the reviewer-bug ones (rb-*)
        for name in os.listdir(seeds_from):
            if not name.startswith("rb-"):
                shutil.copy(os.path.join(seeds_from, name), corpus)
    env = dict(os.environ, LUSIM_BUGS=switches, LUSIM_SUPPRESS=",".join(KNOWN),
               LUSIM_SUPPRESSIONS=SUPP_FILE)
    env.pop("LUSIM_SERIES", None)
    if no_macros:
        env["LUSIM_FUZZ_NO_MACROS"] = "1"
    else:
        env.pop("LUSIM_FUZZ_NO_MACROS", None)
    args = [fuzzer, f"-seed={seed}", f"-max_total_time={max_time}",
            "-print_final_stats=1", f"-artifact_prefix={work}/", "-jobs=0",
            "-workers=0"] + target_options() + [corpus]
    if dict_path:
        args.insert(1, f"-dict={dict_path}")
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True, env=env,
                       timeout=max_time + 60)
    elapsed = time.monotonic() - t0
    out = p.stdout + p.stderr
    m = EXECS.search(out)
    execs = int(m.group(1)) if m else None
    if execs is None:
        prog = PROGRESS.findall(out)
        execs = int(prog[-1]) if prog else 0
    found = list(FINDING.finditer(out))
    # the findings of LLVMFuzzerInitialize's build-time report come first
    # and do not stop the run; the last one is what aborted
    if not found or p.returncode == 0:
        shutil.rmtree(work, ignore_errors=True)
        return elapsed, execs, None
    m = found[-1]
    if keep_dir:
        # the input that stopped the run, for triage (lusim decode FILE)
        for name in os.listdir(work):
            if name.startswith("crash-"):
                os.makedirs(keep_dir, exist_ok=True)
                shutil.copy(os.path.join(work, name), os.path.join(
                    keep_dir, f"{switches.replace(',', '+')}-seed{seed}-{m.group(1)}"))
    shutil.rmtree(work, ignore_errors=True)
    return elapsed, execs, (m.group(1), m.group(0))


def matches(finding, ids):
    if not finding:
        return False
    fid, text = finding
    for want in ids:
        wid, _, site = want.partition("@")
        if fid == wid and (not site or site in text):
            return True
    return False


def parse_dict(path):
    """Entries of a libFuzzer dictionary as bytes."""
    out = []
    for ln in open(path):
        m = re.match(r'^\s*[A-Za-z0-9_]*\s*=\s*"(.*)"\s*$', ln)
        if m:
            out.append(m.group(1).encode("latin-1").decode("unicode_escape")
                       .encode("latin-1"))
    return out


MACROS = ("vfio_setup", "memfd_sealed", "vm_setup", "hwpt_attach",
          "lu_session", "lu_preserve_all")


def no_macro_dict(base, out_path):
    """--no-macros: the base dictionary without the macro ops' records
    (each op's records follow a "# name" line)."""
    keep, n = True, 0
    with open(out_path, "w") as f:
        for ln in open(base):
            m = re.match(r"^# ([a-z_0-9]+)\s*$", ln)
            if m:
                keep = m.group(1) not in MACROS
            if keep or not re.match(r'^\s*[A-Za-z0-9_]*\s*=', ln):
                f.write(ln)
            else:
                n += 1
    return n


def seq_dict(base, out_path, max_len=64):
    """--seq-dict: the base dictionary plus runs of 2..8 consecutive op
    records taken from the committed general scenarios' binary seeds
    (corpus/fuzz_ops/, the rb-* reviewer-bug seeds left out), so the
    fuzzer can splice whole setup sequences (bind a device, build the
    preserve chain) instead of finding each record. Record sizes come from
    the base dictionary (one entry per op, opcode byte first)."""
    size = {}
    for e in parse_dict(base):
        size.setdefault(e[0], len(e))
    entries = []
    cdir = os.path.join(ROOT, "corpus", "fuzz_ops")
    for name in sorted(os.listdir(cdir)):
        if name.startswith("rb-"):
            continue
        data = open(os.path.join(cdir, name), "rb").read()
        recs, pos = [], 0
        while pos < len(data) and data[pos] in size:
            recs.append(data[pos:pos + size[data[pos]]])
            pos += size[data[pos]]
        for i in range(len(recs)):
            for n in range(2, 9):
                chunk = b"".join(recs[i:i + n])
                if i + n <= len(recs) and len(chunk) <= max_len:
                    entries.append(chunk)
    seen = set()
    with open(out_path, "w") as f:
        f.write(open(base).read())
        for e in entries:
            if e in seen:
                continue
            seen.add(e)
            f.write('seq="' + "".join(f"\\x{b:02x}" for b in e) + '"\n')
    return len(seen)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fuzzer", required=True)
    ap.add_argument("--dict", default=os.path.join(ROOT, "fuzz", "fuzz_ops.dict"))
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--max-time", type=int, default=60)
    ap.add_argument("--seq-dict", action="store_true",
                    help="add op-record sequences of the general scenarios to the dictionary")
    ap.add_argument("--general-seeds", action="store_true",
                    help="start from corpus/fuzz_ops without the rb-* seeds "
                    "instead of an empty corpus (not the benchmark's default)")
    ap.add_argument("--no-macros", action="store_true",
                    help="fuzz without the macro ops (LUSIM_FUZZ_NO_MACROS=1, "
                    "their dictionary records left out)")
    ap.add_argument("--keep", metavar="DIR",
                    help="copy the input that stopped each run into DIR")
    ap.add_argument("bugs", nargs="*")
    a = ap.parse_args()
    if a.seq_dict:
        tmpd = os.path.join(tempfile.mkdtemp(prefix="rediscover-dict-"), "seq.dict")
        n = seq_dict(a.dict, tmpd)
        print(f"dictionary: {a.dict} + {n} record sequences", flush=True)
        a.dict = tmpd
    if a.no_macros:
        tmpd = os.path.join(tempfile.mkdtemp(prefix="rediscover-dict-"),
                            "nomacro.dict")
        n = no_macro_dict(a.dict, tmpd)
        print(f"no macros: {n} macro records left out of {a.dict}", flush=True)
        a.dict = tmpd
    bugs = a.bugs or list(BUGS)
    seeds = [int(s) for s in a.seeds.split(",")]
    rows = []
    for rb in bugs:
        switches, ids = BUGS[rb]
        times, execs_l, notes = [], [], []
        for seed in seeds:
            t, n, f = one_run(a.fuzzer, a.dict, switches, seed, a.max_time,
                              os.path.join(ROOT, "corpus", "fuzz_ops")
                              if a.general_seeds else None, a.keep,
                              a.no_macros)
            hit = matches(f, ids)
            where = f[1].replace("\n", " ") if f else ""
            print(f"{rb} seed {seed}: {'found' if hit else ('stopped by' if f else 'not found')}"
                  f" {where} after {t:.1f} s, {n} execs ({n / t:.0f}/s)", flush=True)
            times.append(t if hit else float("inf"))
            execs_l.append(n if hit else float("inf"))
            if f and not hit:
                notes.append(f[0])
        found = [x for x in times if x != float("inf")]

        def fmt(x, unit):
            return f"> {a.max_time} s" if x == float("inf") else f"{x:.1f}{unit}"
        med_t = statistics.median(times)
        rows.append((rb, switches, "/".join(ids) or "(no oracle)",
                     f"{len(found)}/{len(seeds)}", fmt(med_t, " s"),
                     fmt(max(times), " s"),
                     "-" if statistics.median(execs_l) == float("inf")
                     else str(int(statistics.median(execs_l))),
                     ",".join(sorted(set(notes)))))
    print()
    print("| bug | switches | finding ids | found | median time | worst time | median execs | other findings |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    sys.exit(main())
