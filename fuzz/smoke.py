#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fuzz smoke tests (meson suite 'fuzz-smoke'): a short, bounded run of one
fuzz target that must do real work and find nothing.

  smoke.py libfuzzer --binary B --corpus DIR [--dict F] --runs N --min-execs M
  smoke.py afl --binary B --corpus DIR [--dict F] --seconds S --min-execs M
  smoke.py selftest     (fake engines: the checks must catch each failure)

libFuzzer runs with a fixed -seed and -runs=N (the same amount of work every
time; the seeds are passed as a list in name order, so no file system's
readdir order changes the run, but runs still differ a little: libFuzzer's
comparison tracing sees addresses) into a scratch corpus and must report at least M executed units
(stat::number_of_executed_units), exit 0, print no sanitizer report or lusim
finding and leave no crash/leak/timeout artifact. AFL++ runs afl-fuzz -V S on
the corpus and must reach execs_done >= M in fuzzer_stats with no saved
crash or hang. Anything found is kept under --keep (default: the current
directory's fuzz-smoke-artifacts/) with the command that replays it.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

FINDING_PATTERNS = [
    # a finding suppressed by LUSIM_SUPPRESSIONS is printed '(suppressed)'
    re.compile(r'^lusim: finding [\w-]+(?![\w-]| \(suppressed\))', re.M),
    re.compile(r'^==\d+== ?ERROR: \w+Sanitizer: [\w-]+', re.M),
    re.compile(r'^\S+:\d+:\d+: runtime error: .*$', re.M),
    re.compile(r'^==\d+== ?ERROR: libFuzzer: [\w -]+', re.M),
]


def fail(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    sys.exit(1)


def replay_hint(binary):
    """The plain replay binary beside BINARY (fuzz_x, fuzz_x-afl -> fuzz_x-replay)."""
    base = re.sub(r'-afl$', '', binary)
    replay = base + '-replay'
    return replay if os.path.exists(replay) else base


def keep_artifacts(files, keep, binary):
    if not files:
        return
    os.makedirs(keep, exist_ok=True)
    print('artifacts kept:', file=sys.stderr)
    for f in files:
        dst = os.path.join(keep, os.path.basename(f))
        shutil.copyfile(f, dst)
        print(f'  {dst}\n    reproduce: {replay_hint(binary)} {dst}', file=sys.stderr)


def smoke_libfuzzer(args):
    work = tempfile.mkdtemp(prefix='lusim-smoke-')
    try:
        new = os.path.join(work, 'corpus')
        art = os.path.join(work, 'artifacts')
        os.makedirs(new)
        os.makedirs(art)
        cmd = [args.binary, f'-seed={args.seed}', f'-runs={args.runs}',
               '-print_final_stats=1', f'-artifact_prefix={art}/',
               f'-max_len={args.max_len}', '-timeout=30', '-rss_limit_mb=2048']
        if args.dict:
            cmd.append(f'-dict={args.dict}')
        # The seeds go in as a list in name order, not as a directory:
        # libFuzzer sorts its seeds by size only (not a stable sort), so
        # seeds of equal size run in readdir order, which differs between
        # file systems, and with it the whole run (the CI machine once
        # went elsewhere than this one from the same -seed). A list takes
        # that difference out.
        seeds = os.path.join(work, 'seeds.txt')
        with open(seeds, 'w') as f:
            f.write(','.join(os.path.join(args.corpus, n)
                             for n in sorted(os.listdir(args.corpus))
                             if os.path.isfile(os.path.join(args.corpus, n))))
        cmd += [f'-seed_inputs=@{seeds}', new]
        print('$ ' + ' '.join(cmd), flush=True)
        env = dict(os.environ, MALLOC_PERTURB_='0')
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, text=True, errors='replace')
        out = p.stdout
        execs = re.search(r'^stat::number_of_executed_units:\s*(\d+)', out, re.M)
        done = re.findall(r'^#(\d+)\s+DONE\s+(.*)$', out, re.M)
        speed = re.search(r'^stat::average_exec_per_sec:\s*(\d+)', out, re.M)
        arts = sorted(os.path.join(art, f) for f in os.listdir(art))
        findings = [m.group(0) for pat in FINDING_PATTERNS for m in pat.finditer(out)]
        problems = []
        if p.returncode != 0:
            problems.append(f'exit status {p.returncode}')
        if findings:
            problems.append('reported: ' + '; '.join(sorted(set(findings))))
        if arts:
            problems.append(f'{len(arts)} artifact(s) written')
        n = int(execs.group(1)) if execs else 0
        if not execs:
            problems.append('no stat::number_of_executed_units in the output')
        elif n < args.min_execs:
            problems.append(f'only {n} executions, expected at least {args.min_execs}')
        if problems:
            print(out[-6000:], file=sys.stderr)
            keep_artifacts(arts, args.keep, args.binary)
            fail(f'{os.path.basename(args.binary)}: ' + ', '.join(problems))
        stats = done[-1][1].strip() if done else ''
        print(f'{os.path.basename(args.binary)}: libFuzzer smoke OK: {n} executions '
              f'(>= {args.min_execs}), {speed.group(1) if speed else "?"} exec/s, '
              f'{len(os.listdir(new))} new inputs, final: {stats}')
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read_stats(path):
    stats = {}
    with open(path) as f:
        for line in f:
            if ':' in line:
                k, v = line.split(':', 1)
                stats[k.strip()] = v.strip()
    return stats


def smoke_afl(args):
    afl = shutil.which('afl-fuzz')
    if not afl:
        print('afl-fuzz not found: skipped')
        sys.exit(77)
    work = tempfile.mkdtemp(prefix='lusim-afl-smoke-')
    try:
        out = os.path.join(work, 'out')
        cmd = [afl, '-i', args.corpus, '-o', out, '-V', str(args.seconds),
               '-t', '5000', '-m', 'none', '-s', str(args.seed)]
        if args.dict:
            cmd += ['-x', args.dict]
        cmd += ['--', args.binary]
        env = dict(os.environ, AFL_SKIP_CPUFREQ='1', AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES='1',
                   AFL_NO_AFFINITY='1', AFL_NO_UI='1', AFL_FAST_CAL='1',
                   MALLOC_PERTURB_='0')
        print('$ ' + ' '.join(cmd), flush=True)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, text=True, errors='replace')
        stats_file = os.path.join(out, 'default', 'fuzzer_stats')
        if not os.path.exists(stats_file):
            print(p.stdout[-6000:], file=sys.stderr)
            fail(f'afl-fuzz exited {p.returncode} without writing fuzzer_stats')
        st = read_stats(stats_file)
        execs = int(st.get('execs_done', '0'))
        crashes = int(st.get('saved_crashes', st.get('unique_crashes', '0')))
        hangs = int(st.get('saved_hangs', st.get('unique_hangs', '0')))
        problems = []
        if p.returncode != 0:
            problems.append(f'exit status {p.returncode}')
        if execs < args.min_execs:
            problems.append(f'only {execs} executions, expected at least {args.min_execs}')
        if crashes:
            problems.append(f'{crashes} crash(es)')
        if hangs:
            problems.append(f'{hangs} hang(s)')
        if problems:
            print(p.stdout[-6000:], file=sys.stderr)
            arts = []
            for sub in ('crashes', 'hangs'):
                d = os.path.join(out, 'default', sub)
                if os.path.isdir(d):
                    arts += [os.path.join(d, f) for f in sorted(os.listdir(d))
                             if f != 'README.txt']
            keep_artifacts(arts, args.keep, args.binary)
            fail(f'{os.path.basename(args.binary)}: ' + ', '.join(problems))
        print(f'{os.path.basename(args.binary)}: AFL++ smoke OK: {execs} executions '
              f'(>= {args.min_execs}) in {args.seconds} s, {st.get("execs_per_sec", "?")} exec/s, '
              f'corpus {st.get("corpus_count", "?")}, coverage {st.get("bitmap_cvg", "?")}, '
              f'stability {st.get("stability", "?")}')
    finally:
        shutil.rmtree(work, ignore_errors=True)


SELFTEST_LIBFUZZER = {
    # name: (the failure it must report or None, exit status, output, artifact?)
    'clean': (None, 0, '#15000\tDONE   cov: 10 ft: 20 corp: 3/1Kb lim: 4 exec/s: 5000 rss: 30Mb\n'
              'Done 15000 runs in 3 second(s)\nstat::number_of_executed_units: 15000\n'
              'stat::average_exec_per_sec:     5000\n', False),
    'finding': ('lusim: finding XA-DIFF-MISMATCH', 1, 'lusim: finding XA-DIFF-MISMATCH: plain array, op 3: store\n'
                '  at tests/ref/xa_diff.c:1\n==7== ERROR: libFuzzer: deadly signal\n'
                'stat::number_of_executed_units: 77\n', True),
    'too-few': ('only 14999 executions, expected at least 15000', 0, 'Done 14999 runs in 3 second(s)\n'
                'stat::number_of_executed_units: 14999\n', False),
    'ubsan': ('x.c:3:7: runtime error: signed integer overflow', 0, 'x.c:3:7: runtime error: signed integer overflow\n'
              'stat::number_of_executed_units: 15000\n', False),
    'no-stats': ('no stat::number_of_executed_units', 0, 'INFO: Seed: 1\n', False),
}


def selftest_verdict(name, want, p):
    """0 if the smoke run passed (want None) or failed saying @want."""
    fail_line = next((line for line in p.stdout.splitlines() if line.startswith('FAIL: ')), '')
    if want is None:
        right = p.returncode == 0
    else:
        right = p.returncode != 0 and want in fail_line
    print(f'{name}: {"passed" if p.returncode == 0 else fail_line} '
          f'({"as expected" if right else "WRONG"})')
    if not right:
        print(p.stdout)
    return 0 if right else 1


def selftest():
    """The checker caught in the act: fake engines that crash, report a
    finding or a UBSan error, run too few inputs, or print no figures."""
    work = tempfile.mkdtemp(prefix='lusim-smoke-selftest-')
    bad = 0
    try:
        corpus = os.path.join(work, 'corpus')
        os.makedirs(corpus)
        with open(os.path.join(corpus, 'seed'), 'w') as f:
            f.write('x')
        for name, (want, rc, out, artifact) in SELFTEST_LIBFUZZER.items():
            fake = os.path.join(work, 'fake-' + name)
            with open(fake, 'w') as f:
                f.write('#!/bin/sh\n')
                if artifact:
                    f.write('for a in "$@"; do case "$a" in -artifact_prefix=*) '
                            'echo x > "${a#-artifact_prefix=}crash-1";; esac; done\n')
                f.write(f"cat <<'EOF'\n{out}EOF\nexit {rc}\n")
            os.chmod(fake, 0o755)
            p = subprocess.run([sys.executable, __file__, 'libfuzzer', '--binary', fake,
                                '--corpus', corpus, '--runs', '15000', '--min-execs', '15000',
                                '--keep', os.path.join(work, 'kept')],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            bad += selftest_verdict('libfuzzer/' + name, want, p)
        # AFL++: a fake afl-fuzz on PATH writing fuzzer_stats
        for name, want, stats in (('clean', None, 'execs_done : 5000\nsaved_crashes : 0\nsaved_hangs : 0\n'),
                                ('crash', '1 crash(es)', 'execs_done : 5000\nsaved_crashes : 1\nsaved_hangs : 0\n'),
                                ('slow', 'only 10 executions', 'execs_done : 10\nsaved_crashes : 0\nsaved_hangs : 0\n')):
            bindir = os.path.join(work, 'afl-' + name)
            os.makedirs(bindir)
            with open(os.path.join(bindir, 'afl-fuzz'), 'w') as f:
                f.write('#!/bin/sh\nwhile [ "$1" != -o ]; do shift; done\nmkdir -p "$2/default"\n'
                        f"cat > \"$2/default/fuzzer_stats\" <<'EOF'\n{stats}EOF\n")
            os.chmod(os.path.join(bindir, 'afl-fuzz'), 0o755)
            env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get('PATH', ''))
            p = subprocess.run([sys.executable, __file__, 'afl', '--binary', '/bin/true',
                                '--corpus', corpus, '--min-execs', '1000',
                                '--keep', os.path.join(work, 'kept')],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
            bad += selftest_verdict('afl/' + name, want, p)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if bad else 0)


def main():
    if sys.argv[1:] == ['selftest']:
        selftest()
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('engine', choices=['libfuzzer', 'afl'])
    ap.add_argument('--binary', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--dict')
    ap.add_argument('--runs', type=int, default=20000, help='libFuzzer -runs')
    ap.add_argument('--seconds', type=int, default=3, help='afl-fuzz -V')
    ap.add_argument('--min-execs', type=int, required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--max-len', type=int, default=4096)
    ap.add_argument('--keep', default='fuzz-smoke-artifacts')
    args = ap.parse_args()
    if not os.path.isdir(args.corpus) or not os.listdir(args.corpus):
        fail(f'{args.corpus}: missing or empty corpus')
    if args.engine == 'libfuzzer':
        smoke_libfuzzer(args)
    else:
        smoke_afl(args)


if __name__ == '__main__':
    main()
