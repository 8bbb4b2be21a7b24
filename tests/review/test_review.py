#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""lusim review end to end (suites 'review' and 'slow': it builds and fuzzes).

With the mails of tests/review/mails:

  1. v1-pair-reply.eml (the v1-era device preserve/unpreserve pair, quoted in
     a review reply, tabs lost, comments interleaved), fuzzed without the
     reviewer-bug seeds, a fixed -seed and a bounded time (AMENDMENTS,
     "Review a patch mail": a finding comes from fuzzing, not from a seed
     written for the bug): WARN-CONST-COND at both WARN_ON(-errno) lines of
     the mail, and a runtime finding of the posted mistakes (INV-PASID-DROPPED,
     or INV-DEV-ATTACH-CHANGED / WARN); the minimized scenario reproduces it
     under `lusim run`; coverage is reported per function at the mail's
     lines; --html writes the page;
  2. the same mail again: the build log shows nothing recompiled;
  3. fixed-pair-reply.eml (both review points fixed), with the default seeds
     (reviewer-bug seeds included): none of those findings;
  4. syntax-error.eml: exit 2 and the compiler's error at the mail's line;
  5. the CLI: `lusim review` dispatches to the tool.

usage: test_review.py --lusim LUSIM [--cache DIR] [--time S]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
MAILS = os.path.join(ROOT, 'tests', 'review', 'mails')
failed = 0


def check(cond, what, out=''):
    global failed
    if cond:
        print('ok: %s' % what)
    else:
        failed += 1
        print('FAIL: %s\n%s' % (what, out[-8000:]))


def review(lusim, cache, *args):
    p = subprocess.run([lusim, 'review', '--cache', cache] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors='replace')
    print('$ lusim review %s  -> exit %d' % (' '.join(args), p.returncode))
    return p.returncode, p.stdout


def build_log_last_run(cache, out):
    m = re.search(r'build: .*\((\S+)/build\)', out)
    if not m:
        return ''
    with open(os.path.join(m.group(1), 'build.log')) as f:
        return f.read().split('\n== ')[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lusim', required=True)
    ap.add_argument('--cache')
    ap.add_argument('--time', default='15')
    a = ap.parse_args()
    for tool in ('clang', 'llvm-cov', 'llvm-profdata', 'meson', 'ninja'):
        if not shutil.which(tool):
            print('skip: %s not found' % tool)
            return 77
    tmp = tempfile.mkdtemp(prefix='lusim-review-test-')
    cache = os.path.abspath(a.cache) if a.cache else os.path.join(tmp, 'cache')
    lusim = os.path.abspath(a.lusim)
    env_bugs = [k for k in ('LUSIM_BUGS', 'LUSIM_SERIES') if k in os.environ]
    for k in env_bugs:
        del os.environ[k]
    try:
        # 1. the v1 pair: caught by fuzzing
        v1 = os.path.join(MAILS, 'v1-pair-reply.eml')
        html = os.path.join(tmp, 'html')
        rc, out = review(lusim, cache, '--time', a.time, '--seed', '1', '--no-rb-seeds',
                         '--html', html, v1)
        print(out)
        check(rc == 1, 'v1 pair: exit status 1 (findings)', out)
        name = os.path.relpath(v1) if not os.path.relpath(v1).startswith('..') else v1
        lines = open(v1).read().splitlines()
        # the quoted patch's lines (the reviewer's comment names them too)
        l_enoent = next(i for i, ln in enumerate(lines, 1)
                        if ln.startswith('> +') and 'WARN_ON(-ENOENT)' in ln)
        l_einval = next(i for i, ln in enumerate(lines, 1)
                        if ln.startswith('> +') and 'WARN_ON(-EINVAL)' in ln)
        check('* WARN-CONST-COND' in out and
              'at %s:%d' % (name, l_enoent) in out and 'at %s:%d' % (name, l_einval) in out,
              'v1 pair: WARN-CONST-COND at both WARN_ON(-errno) lines of the mail', out)
        runtime = [i for i in ('INV-PASID-DROPPED', 'INV-DEV-ATTACH-CHANGED', 'WARN')
                   if '\n* %s\n' % i in out]
        check(runtime, 'v1 pair: a runtime finding of the posted mistakes (%s)' %
              ', '.join(runtime or ['none']), out)
        check('docs/oracles.md' in out, 'v1 pair: the rule is the oracle\'s doc entry', out)
        scen = re.findall(r'minimized scenario \((\S+); lusim run reproduces it\)', out)
        check(scen, 'v1 pair: a minimized scenario that reproduces the finding', out)
        m = re.search(r'rerun: (\S+=\S+ )*(\S+/tools/lusim/lusim) run --trace (\S+)', out)
        if m:
            fid = re.search(r'\n\* (\S+)\n(?:(?!\n\*).)*?%s' % re.escape(m.group(3)), out,
                            re.S)
            p = subprocess.run([m.group(2), 'run', m.group(3)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               env=dict(os.environ, LUSIM_SUPPRESSIONS=os.path.join(
                                   ROOT, 'fuzz', 'known-findings.supp')))
            check(fid and re.search(r'finding %s\b' % re.escape(fid.group(1)), p.stdout),
                  'v1 pair: the rerun command reports %s' % (fid.group(1) if fid else '?'),
                  p.stdout)
        cov = re.findall(r'(iommufd_device_(?:un)?preserve)\(\)  %s:\d+-\d+: (\d+) of (\d+) '
                         r'lines reached' % re.escape(name), out)
        check(len(cov) == 2 and all(int(n) > 0 and int(h) > 0 for _, h, n in cov),
              'v1 pair: coverage of both functions at the mail\'s lines', out)
        page = os.path.join(html, 'index.html')
        check(os.path.exists(page) and 'iommufd_device_unpreserve' in open(page).read()
              and 'class="miss"' in open(page).read(),
              '--html writes the report with the annotated source')

        # 2. the cache: a second run recompiles nothing (the build log says so)
        rc, out = review(lusim, cache, '--build-only', v1)
        last = build_log_last_run(cache, out)
        check(rc == 0 and last and 'Compiling' not in last and 'Linking' not in last and
              'ninja: no work to do' in last and 'meson setup' not in last,
              'cache: the second build of the same mail compiles nothing', out + last)

        # 3. both review points fixed: none of those findings
        rc, out = review(lusim, cache, '--time', a.time, '--seed', '1',
                         os.path.join(MAILS, 'fixed-pair-reply.eml'))
        print(out)
        bad = [i for i in ('INV-PASID-DROPPED', 'INV-DEV-ATTACH-CHANGED', 'WARN',
                           'WARN-CONST-COND') if '\n* %s\n' % i in out]
        check('== lusim review report' in out and not bad,
              'fixed pair: none of the v1 findings (%s)' % (', '.join(bad) or 'none'), out)
        check(rc in (0, 1) and ('findings: none' in out) == (rc == 0),
              'fixed pair: the exit status matches the report', out)

        # 4. a syntax error in the pasted code: the mail's line
        se = os.path.join(MAILS, 'syntax-error.eml')
        rc, out = review(lusim, cache, '--build-only', se)
        print(out)
        lines = open(se).read().splitlines()
        bad_line = next(i for i, ln in enumerate(lines, 1) if ln.rstrip().endswith('-ENOENT'))
        sname = os.path.relpath(se) if not os.path.relpath(se).startswith('..') else se
        check(rc == 2 and re.search(r'%s:(%d|%d):\d+: error: ' % (
            re.escape(sname), bad_line, bad_line + 1), out) and 'Traceback' not in out,
            'syntax error: exit 2 and MAIL:line: error at line %d' % bad_line, out)
    finally:
        if failed == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print('kept %s' % tmp)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
