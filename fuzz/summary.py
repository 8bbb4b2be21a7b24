#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run a libFuzzer campaign on one fuzz target and print a readable summary.

  summary.py run TARGET [--build build/fuzz] [--seconds 60] [--workers N]
  summary.py report TARGET [--build build/fuzz] [--log LOG] [--since EPOCH]
  summary.py selftest    (a fake campaign the summary must classify right)

`run` fuzzes TARGET (build/fuzz/fuzz/TARGET, a -Dfuzzing=libfuzzer build) for
SECONDS with -fork=WORKERS (default: all cores), its dictionary fuzz/TARGET.dict
and seeds corpus/TARGET/ (read only), keeping its own growing corpus and the
crash files in build/fuzz/campaign/TARGET/{corpus,artifacts}, then reports.
`report` only summarises what a campaign left there.

The summary: executions, exec/s, coverage (cov/ft), corpus size, and each
distinct finding (lusim finding id and site, or the sanitizer's error and
site), found by replaying every crash file with build/fuzz/fuzz/TARGET-replay,
with the exact command that reproduces it. Exit status: 0 if nothing was
found in this run, 1 if something was, 2 on usage or build errors.
"""
import argparse
import configparser
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STATUS_FORK = re.compile(
    r'^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s:? (\d+) '
    r'oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s', re.M)
STATUS_PLAIN = re.compile(
    r'^#(\d+)\s+(?:DONE|NEW|REDUCE|pulse|RELOAD)\s+cov: (\d+) ft: (\d+) corp: (\d+)/', re.M)
LUSIM = re.compile(r'^lusim: finding (\S+?)(?: \(suppressed\))?: (.*)\n(?:  at (\S+))?', re.M)
SAN = re.compile(r'^SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|'
                 r'MemorySanitizer|ThreadSanitizer): (\S+)(?: (\S+))?(?: in (\S+))?', re.M)
UBSAN = re.compile(r'^(\S+?:\d+):\d+: runtime error: (.*)$', re.M)



def target_options(target):
    """libFuzzer flags from fuzz/TARGET.options ([libfuzzer] section, as
    OSS-Fuzz reads it), the dictionary excepted (passed above)."""
    path = os.path.join(ROOT, 'fuzz', target + '.options')
    if not os.path.exists(path):
        return []
    cp = configparser.ConfigParser()
    cp.read(path)
    if not cp.has_section('libfuzzer'):
        return []
    return [f'-{k}={v}' for k, v in cp.items('libfuzzer') if k != 'dict']

def rel(path):
    """A path relative to the source tree when it is inside it."""
    p = os.path.normpath(os.path.abspath(path))
    r = os.path.relpath(p, ROOT)
    return p if r.startswith('..') else r


def site_rel(site):
    """/abs/build/../tests/ref/x.c:12:3 -> tests/ref/x.c:12"""
    if not site:
        return ''
    m = re.match(r'(.*?):(\d+)(?::\d+)?$', site)
    if not m:
        return site
    return f'{rel(m.group(1))}:{m.group(2)}'


def classify(replay, path):
    """Replay one crash file; return (id, site, message)."""
    name = os.path.basename(path)
    try:
        p = subprocess.run([replay, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors='replace', timeout=120,
                           env=dict(os.environ, MALLOC_PERTURB_='0'))
    except subprocess.TimeoutExpired:
        return ('TIMEOUT', '', 'the replay did not finish in 120 s')
    out = p.stdout
    m = LUSIM.search(out)
    if m:
        return (m.group(1), m.group(3) or '', m.group(2))
    m = SAN.search(out)
    if m:
        tool = {'AddressSanitizer': 'ASAN', 'UndefinedBehaviorSanitizer': 'UBSAN',
                'LeakSanitizer': 'LSAN', 'MemorySanitizer': 'MSAN',
                'ThreadSanitizer': 'TSAN'}[m.group(1)]
        return (f'{tool}-{m.group(2)}', site_rel(m.group(3)),
                f'{m.group(2)}' + (f' in {m.group(4)}' if m.group(4) else ''))
    m = UBSAN.search(out)
    if m:
        return ('UBSAN', site_rel(m.group(1)), m.group(2))
    if p.returncode == 0:
        kind = name.split('-')[0]
        if kind in ('timeout', 'slow'):
            return ('TIMEOUT', '', f'libFuzzer {kind} unit; replays in time here')
        if kind == 'oom':
            return ('OOM', '', 'libFuzzer out-of-memory unit; replays within limits here')
        return ('NOT-REPRODUCED', '', f'{name} replays cleanly (flaky or state leak?)')
    last = out.strip().splitlines()[-1] if out.strip() else ''
    return (f'EXIT-{p.returncode}', '', last[:200])


def parse_log(text):
    """Final figures from a libFuzzer log (fork mode or a single process)."""
    st = {}
    fork = STATUS_FORK.findall(text)
    if fork:
        n, cov, ft, corp, eps, oom, tmo, crash, secs = fork[-1]
        st.update(execs=int(n), cov=int(cov), ft=int(ft), corp=int(corp),
                  recent_eps=int(eps), ooms=int(oom), timeouts=int(tmo),
                  crashes=int(crash), secs=int(secs))
    else:
        plain = STATUS_PLAIN.findall(text)
        if plain:
            n, cov, ft, corp = plain[-1]
            st.update(execs=int(n), cov=int(cov), ft=int(ft), corp=int(corp))
        m = re.search(r'^Done (\d+) runs in (\d+) second', text, re.M)
        if m:
            st.update(execs=int(m.group(1)), secs=int(m.group(2)))
    m = re.search(r'^INFO: fuzzed for (\d+) seconds', text, re.M)
    if m:
        st['secs'] = int(m.group(1))
    return st


def dirsize(d):
    return len([f for f in os.listdir(d) if not f.startswith('.')]) if os.path.isdir(d) else 0


def report(args):
    build = args.build
    camp = os.path.join(build, 'campaign', args.target)
    replay = os.path.join(build, 'fuzz', args.target + '-replay')
    log = args.log or os.path.join(camp, 'log')
    art = os.path.join(camp, 'artifacts')
    corpus = os.path.join(camp, 'corpus')
    seeds = os.path.join(ROOT, 'corpus', args.target)
    text = open(log, errors='replace').read() if os.path.exists(log) else ''
    st = parse_log(text)

    print(f'\n== summary: {args.target}')
    if not st:
        print(f'  no libFuzzer status lines in {rel(log)}: did the target start?')
        print('\n'.join('  | ' + line for line in text.strip().splitlines()[-15:]))
    secs = st.get('secs') or args.seconds or 0
    execs = st.get('execs', 0)
    eps = f'{execs / secs:,.0f} exec/s' if secs else 'exec/s unknown'
    workers = (f' on {args.workers} worker{"s" if args.workers != 1 else ""}'
               if args.workers else '')
    print(f'  time          {secs} s{workers}')
    print(f'  executions    {execs:,} ({eps})')
    if 'cov' in st:
        print(f'  coverage      cov {st["cov"]}, ft {st["ft"]} (libFuzzer: edges covered, features)')
    print(f'  corpus        {dirsize(corpus)} inputs in {rel(corpus)}/ '
          f'(seeds: {dirsize(seeds)} in {rel(seeds)}/)')
    if 'crashes' in st:
        print(f'  crashes/timeouts/ooms this run: {st["crashes"]}/{st["timeouts"]}/{st["ooms"]}')

    supp = {}
    supp_log = os.path.join(camp, 'suppressed')
    if os.path.exists(supp_log):
        # fuzz_ops appends 'suppressed ID SITE HITS' per process at exit
        for ln in open(supp_log, errors='replace'):
            f = ln.split()
            if len(f) == 4 and f[0] == 'suppressed' and f[3].isdigit():
                supp[(f[1], f[2])] = supp.get((f[1], f[2]), 0) + int(f[3])
    if supp:
        print(f'  suppressed    {sum(supp.values()):,} hit(s) of {len(supp)} known finding(s) '
              '(LUSIM_SUPPRESS/LUSIM_SUPPRESSIONS; they did not stop the run):')
        for (fid, site), n in sorted(supp.items(), key=lambda kv: (-kv[1], kv[0])):
            # sites as the shim records them: ../../kernel-shim/x.c:12 or an op name
            print(f'                {n:,} x {fid} at {re.sub(r"^(?:[.][.]/)+", "", site)}')
    elif os.path.exists(supp_log):
        print('  suppressed    0 hits')

    files = sorted(os.path.join(art, f) for f in os.listdir(art)) if os.path.isdir(art) else []
    if files and not os.path.exists(replay):
        print(f'  {len(files)} crash file(s) in {rel(art)}/, but {rel(replay)} is missing: '
              'cannot classify them')
        return 2
    findings = {}
    for f in files:
        new = os.path.getmtime(f) >= args.since
        key = classify(replay, f)
        ent = findings.setdefault(key[:2], {'msg': key[2], 'files': [], 'new': 0})
        ent['files'].append(f)
        ent['new'] += new
    new_total = sum(e['new'] for e in findings.values())
    if not findings:
        print('  findings      none')
    else:
        print(f'  findings      {len(findings)} distinct (by id and site), '
              f'{new_total} crash file(s) from this run, {len(files) - new_total} from earlier runs')
        for (fid, site), e in sorted(findings.items(), key=lambda kv: (-kv[1]['new'], kv[0])):
            smallest = min(e['files'], key=lambda f: (os.path.getsize(f), f))
            when = f'{e["new"]} new' if e['new'] else 'earlier runs only'
            print(f'\n  * {fid}' + (f' at {site}' if site else '') +
                  f'  ({len(e["files"])} input(s), {when})')
            print(f'    {e["msg"]}')
            print(f'    reproduce: {rel(replay)} {rel(smallest)}')
    return 1 if new_total else 0


def run(args):
    fuzzer = os.path.join(args.build, 'fuzz', args.target)
    args.workers = args.workers or os.cpu_count() or 1
    if not os.access(fuzzer, os.X_OK):
        print(f'{fuzzer}: not built (a -Dfuzzing=libfuzzer build is needed)', file=sys.stderr)
        return 2
    camp = os.path.join(args.build, 'campaign', args.target)
    corpus = os.path.join(camp, 'corpus')
    art = os.path.join(camp, 'artifacts')
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(art, exist_ok=True)
    log = os.path.join(camp, 'log')
    supp_log = os.path.join(camp, 'suppressed')
    if os.path.exists(supp_log):
        os.remove(supp_log)
    open(supp_log, 'w').close()
    seeds = os.path.join(ROOT, 'corpus', args.target)
    cmd = [fuzzer, f'-fork={args.workers}', '-ignore_crashes=1', '-ignore_timeouts=1',
           '-ignore_ooms=1', f'-max_total_time={args.seconds}', f'-artifact_prefix={art}/',
           '-print_final_stats=1']
    d = os.path.join(ROOT, 'fuzz', args.target + '.dict')
    if os.path.exists(d):
        cmd.append(f'-dict={d}')
    cmd += target_options(args.target)
    cmd += [corpus, seeds]
    print('$ ' + ' '.join(rel(c) if os.path.exists(c) else c for c in cmd), flush=True)
    args.since = time.time() - 1
    shown = re.compile(r'^(#\d+: cov|INFO: fuzzed for|INFO: -fork|==\d+==\s*ERROR|'
                       r'lusim: finding|.*runtime error:)')
    with open(log, 'w') as lf:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors='replace', env=dict(os.environ, MALLOC_PERTURB_='0',
                                                        LUSIM_SUPPRESSED_LOG=os.path.abspath(supp_log)))
        for line in p.stdout:
            lf.write(line)
            if shown.match(line):
                print('  ' + line.rstrip(), flush=True)
        p.wait()
    return report(args)


SELFTEST_CRASHES = {
    # crash file: what the (fake) replay prints
    'crash-a': 'lusim: finding XA-DIFF-MISMATCH: plain array, op 3: erase returned NULL\n'
               '  at tests/ref/xa_diff.c:600\nxa_diff: plain array, ...\n',
    'crash-b': 'lusim: finding XA-DIFF-MISMATCH: plain array, op 9: erase returned v1\n'
               '  at tests/ref/xa_diff.c:600\n',
    'crash-c': '==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n'
               'SUMMARY: AddressSanitizer: heap-use-after-free ' + ROOT +
               '/build/fuzz/../../kernel-shim/lib/xarray.c:77:5 in xa_node_free\n',
    'crash-d': ROOT + '/build/fuzz/../../kernel-shim/lib/xarray.c:90:12: runtime error: '
               'shift exponent 64 is too large\n',
    'timeout-e': 'CLEAN\n',
}
SELFTEST_EXPECT = [
    'executions    1,200 (100 exec/s)',
    'coverage      cov 50, ft 70',
    'findings      4 distinct (by id and site), 5 crash file(s) from this run, 0 from earlier runs',
    '* XA-DIFF-MISMATCH at tests/ref/xa_diff.c:600  (2 input(s), 2 new)',
    '* ASAN-heap-use-after-free at kernel-shim/lib/xarray.c:77  (1 input(s), 1 new)',
    '* UBSAN at kernel-shim/lib/xarray.c:90  (1 input(s), 1 new)',
    'shift exponent 64 is too large',
    '* TIMEOUT  (1 input(s), 1 new)',
    'reproduce: ',
    'suppressed    8 hit(s) of 2 known finding(s)',
    '7 x WARN at a.c:1',
]


def selftest():
    """A fake campaign: a log, crash files and a replay binary that prints
    each file's canned report; the summary must count, classify and
    deduplicate them and give the reproduce commands."""
    import shutil
    import tempfile
    work = tempfile.mkdtemp(prefix='lusim-summary-selftest-')
    try:
        camp = os.path.join(work, 'campaign', 'fuzz_x')
        os.makedirs(os.path.join(camp, 'artifacts'))
        os.makedirs(os.path.join(camp, 'corpus'))
        os.makedirs(os.path.join(work, 'fuzz'))
        replay = os.path.join(work, 'fuzz', 'fuzz_x-replay')
        with open(replay, 'w') as f:
            f.write('#!/bin/sh\ncat "$1"\ngrep -q CLEAN "$1" && exit 0\nexit 1\n')
        os.chmod(replay, 0o755)
        for name, text in SELFTEST_CRASHES.items():
            with open(os.path.join(camp, 'artifacts', name), 'w') as f:
                f.write(text)
        with open(os.path.join(camp, 'suppressed'), 'w') as f:
            f.write('suppressed WARN a.c:1 3\nsuppressed WARN a.c:1 4\n'
                    'suppressed PAGE-LEAK b.c:2 1\n')
        with open(os.path.join(camp, 'log'), 'w') as f:
            f.write('#600: cov: 40 ft: 60 corp: 10 exec/s 100 oom/timeout/crash: 0/0/1 '
                    'time: 6s job: 1 dft_time: 0\n'
                    '#1200: cov: 50 ft: 70 corp: 12 exec/s 100 oom/timeout/crash: 0/1/4 '
                    'time: 12s job: 2 dft_time: 0\nINFO: fuzzed for 12 seconds, wrapping up soon\n')
        p = subprocess.run([sys.executable, __file__, 'report', 'fuzz_x', '--build', work],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        missing = [e for e in SELFTEST_EXPECT if e not in p.stdout]
        print(p.stdout)
        if missing or p.returncode != 1:
            print(f'summary selftest FAILED: exit {p.returncode} (want 1), missing: {missing}')
            sys.exit(1)
        print('summary selftest: ok')
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0)


def main():
    if sys.argv[1:] == ['selftest']:
        selftest()
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('mode', choices=['run', 'report'])
    ap.add_argument('target')
    ap.add_argument('--build', default=os.path.join(ROOT, 'build', 'fuzz'))
    ap.add_argument('--seconds', type=int, default=60)
    ap.add_argument('--workers', type=int, help='libFuzzer -fork=N (default: all cores)')
    ap.add_argument('--log')
    ap.add_argument('--since', type=float, default=0.0,
                    help='crash files older than this (epoch seconds) count as earlier runs')
    args = ap.parse_args()
    sys.exit(run(args) if args.mode == 'run' else report(args))


if __name__ == '__main__':
    main()
