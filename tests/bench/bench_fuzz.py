#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fuzz throughput benchmark (issue 7): every libFuzzer target of a build
directory, and a trivial libFuzzer target built with the same flags
(tests/bench/trivial_fuzzer.c), each run on one core for the same time in
the same benchmark run, on a fresh copy of its seed corpus with a fixed
-seed. Prints execs, exec/s by wall clock and by CPU time (the process's
user+system time: shared machines), and each target's exec/s as a ratio to
the trivial target's. Figures only: nothing is asserted.

fuzz_ops runs with LUSIM_FUZZ_RECORD=1 (findings counted, not fatal) so a
random input's finding does not end the measurement; other targets stop at
a finding, which the table says.

  tests/bench/bench_fuzz.py --build build/fuzz [--seconds 20] [--rounds 2]

meson runs it as the benchmark 'fuzz-throughput' of a -Dfuzzing=libfuzzer
build (meson test -C build/fuzz --benchmark --verbose)."""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

TARGETS = ['fuzz_ops', 'fuzz_xarray', 'fuzz_scenario', 'fuzz_restore']


def run_one(binary, corpus, dict_path, seconds, tmp, env):
    new = tempfile.mkdtemp(prefix='new-', dir=tmp)
    seeds = tempfile.mkdtemp(prefix='seeds-', dir=tmp)
    if corpus and os.path.isdir(corpus):
        for f in os.listdir(corpus):
            src = os.path.join(corpus, f)
            if os.path.isfile(src):
                shutil.copy(src, seeds)
    args = [binary, '-max_total_time=%d' % seconds, '-seed=1',
            '-print_final_stats=1', '-timeout=25',
            '-artifact_prefix=%s/' % tmp, new, seeds]
    if dict_path and os.path.exists(dict_path):
        args.insert(1, '-dict=' + dict_path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(args, cwd=tmp, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors='replace')
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m = re.findall(r'^stat::number_of_executed_units:\s*(\d+)', p.stdout, re.M)
    execs = int(m[-1]) if m else 0
    rss = re.findall(r'^stat::peak_rss_mb:\s*(\d+)', p.stdout, re.M)
    note = '' if p.returncode == 0 else 'stopped (exit %d)' % p.returncode
    if 'finding' in p.stdout and p.returncode != 0:
        note = 'stopped at a finding'
    return {'execs': execs, 'wall': wall, 'cpu': cpu,
            'rss': int(rss[-1]) if rss else 0, 'note': note}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', required=True, help='a -Dfuzzing=libfuzzer build dir')
    ap.add_argument('--source', default=os.path.join(os.path.dirname(__file__), '..', '..'))
    ap.add_argument('--seconds', type=int, default=20)
    ap.add_argument('--rounds', type=int, default=2,
                    help='interleaved repetitions (trivial, targets, trivial, ...)')
    ap.add_argument('--targets', default=','.join(TARGETS))
    a = ap.parse_args()
    src = os.path.abspath(a.source)
    build = os.path.abspath(a.build)
    trivial = os.path.join(build, 'fuzz', 'bench_trivial_fuzzer')
    if not os.path.exists(trivial):
        print('bench_fuzz: %s not built (a -Dfuzzing=libfuzzer build?)' % trivial)
        return 1
    env = dict(os.environ)
    env['LUSIM_FUZZ_RECORD'] = '1'
    env.setdefault('LUSIM_SUPPRESSIONS', os.path.join(src, 'fuzz', 'known-findings.supp'))
    env.setdefault('ASAN_OPTIONS', 'detect_leaks=1')
    names = ['(trivial)'] + [t for t in a.targets.split(',')
                             if os.path.exists(os.path.join(build, 'fuzz', t))]
    res = {n: [] for n in names}
    tmp = tempfile.mkdtemp(prefix='lusim-bench-fuzz-')
    try:
        for r in range(a.rounds):
            for n in names:
                if n == '(trivial)':
                    out = run_one(trivial, None, None, a.seconds, tmp, env)
                else:
                    out = run_one(os.path.join(build, 'fuzz', n),
                                  os.path.join(src, 'corpus', n),
                                  os.path.join(src, 'fuzz', n + '.dict'),
                                  a.seconds, tmp, env)
                res[n].append(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def rate(rs, key):
        execs = sum(x['execs'] for x in rs)
        t = sum(x[key] for x in rs)
        return execs / t if t > 0 else 0.0

    triv_cpu = rate(res['(trivial)'], 'cpu')
    triv_wall = rate(res['(trivial)'], 'wall')
    print('bench_fuzz: %s, %d s per run, %d interleaved rounds, one core each, load %s' %
          (build, a.seconds, a.rounds, ' '.join('%.2f' % x for x in os.getloadavg())))
    print('  %-16s %10s %12s %12s %12s %12s %8s  %s' %
          ('target', 'execs', 'exec/s wall', 'exec/s CPU', 'ratio(CPU)', 'ratio(wall)',
           'rss MB', 'note'))
    for n in names:
        rs = res[n]
        cpu, wall = rate(rs, 'cpu'), rate(rs, 'wall')
        print('  %-16s %10d %12.0f %12.0f %12.5f %12.5f %8d  %s' %
              (n, sum(x['execs'] for x in rs), wall, cpu,
               cpu / triv_cpu if triv_cpu else 0, wall / triv_wall if triv_wall else 0,
               max(x['rss'] for x in rs), '; '.join(sorted({x['note'] for x in rs if x['note']}))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
