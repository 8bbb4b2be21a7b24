#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""lusim review: fuzz the functions of a patch mail in place of the model's.

usage: lusim review [options] MAIL|FILE.c|-

  --time S          fuzz for S seconds (default 60)
  --workers N       libFuzzer -fork=N (default: all cores)
  --series NAME     LUSIM_SERIES for the campaign (e.g. v1)
  --bug RB-nn       switch a reviewer bug on (repeatable; LUSIM_BUGS)
  --emit FILE       write the override file(s) and stop ('-': stdout)
  --html DIR        also write the report as DIR/index.html
  --baseline        also run the same campaign on the model's own functions
  --cache DIR       build cache (default $LUSIM_REVIEW_CACHE or
                    ~/.cache/lusim/review)
  --seed N          libFuzzer -seed=N (default 1: deterministic start)
  --no-rb-seeds     leave the reviewer-bug seeds (corpus/fuzz_ops/rb-*) out
  --build-only      extract and build, then stop

Exit status: 0 no finding, 1 findings, 2 usage, input or build error.
See docs/review.md.
"""

import argparse
import glob
import hashlib
import html
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, 'fuzz'))

import mailextract as me  # noqa: E402
import summary  # noqa: E402    fuzz/summary.py: crash classification, log parsing

BUILD_TARGETS = ['fuzz/fuzz_ops', 'fuzz/fuzz_ops-replay', 'tools/lusim/lusim']
# line tables only (for sanitizer reports): full -g costs build time
BUILD_FLAGS = ('-fno-sanitize-recover=all -fprofile-instr-generate -fcoverage-mapping '
               '-gline-tables-only')
# bump when the build configuration changes (part of the cache key)
BUILD_VERSION = 'review-build-2'
DIAG_RE = re.compile(r'^(.*?):(\d+):(?:(\d+):)? (error|warning|note|fatal error): (.*)$')
LUSIM_FINDING = re.compile(r'^lusim: finding (\S+?)(?: \(suppressed\))?: (.*)\n(?:  at (\S+))?',
                           re.M)


class ReviewError(Exception):
    pass


def rel(p):
    """p relative to the current directory when it is below it."""
    r = os.path.relpath(p)
    return p if r.startswith('..') else r


SAY = {'file': None}     # stderr while --emit - writes C to stdout


def say(*a):
    print(*a, flush=True, file=SAY['file'] or sys.stdout)


def sha(data):
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# Input and extraction

class Source:
    def __init__(self, arg):
        self.arg = arg
        if arg == '-':
            self.data = sys.stdin.buffer.read()
            self.name = '<stdin>'
            self.path = None
        else:
            try:
                with open(arg, 'rb') as f:
                    self.data = f.read()
            except OSError as e:
                raise ReviewError('%s: %s' % (arg, e.strerror))
            self.name = arg
            self.path = os.path.abspath(arg)
        self.text = self.data.decode('utf-8', errors='replace')
        self.hash = sha(self.data)


def extract(src, cache):
    try:
        ex = me.extract(src.text, ROOT, src.name)
    except me.ExtractError as e:
        raise ReviewError(str(e))
    mails = os.path.join(cache, 'mails')
    os.makedirs(mails, exist_ok=True)
    if ex.kind == 'c-file':
        # a C file is an override file as it is
        if src.path is None:
            copy = os.path.join(mails, src.hash[:16] + '.c')
            with open(copy, 'wb') as f:
                f.write(src.data)
            return ex, [copy], {copy: src.name}
        return ex, [src.path], {src.path: src.name}
    # the compiler sees the mail as a stable copy (same content, same key)
    copy = os.path.join(mails, src.hash[:16] + '.txt')
    if not os.path.exists(copy):
        with open(copy, 'wb') as f:
            f.write(src.data)
    texts = [me.render_override(t, copy, src.name) for t in ex.targets]
    return ex, texts, {copy: src.name}


def print_extraction(ex, src):
    if ex.kind == 'c-file':
        say('input: a C file; its function definitions are the override')
        return
    say('input: %s (%s)' % (src.name, '; '.join(ex.notes)))
    for t in ex.targets:
        say('extracted from %s (model: %s):' % (t.path, os.path.relpath(t.model, ROOT)))
        for f in t.functions:
            say('  %s:%d-%d  %s()  %s%s%s' % (src.name, f.line, f.end_line, f.name, f.how,
                                             ', under ' + ' '.join(f.guards) if f.guards else '',
                                             ', leading tabs lost (re-indented)'
                                             if f.tabs_lost else ''))
        if t.includes:
            say('  with the patch\'s %d #include line%s for the file' %
                (len(t.includes), '' if len(t.includes) == 1 else 's'))
    if ex.skipped:
        say('not used:')
        for s in ex.skipped:
            loc = '%s:%d: ' % (src.name, s.line) if s.line else ''
            say('  %s%s: %s' % (loc, s.what, s.reason))


# --------------------------------------------------------------------------
# Build

def cache_root(args):
    if args.cache:
        return os.path.abspath(args.cache)
    env = os.environ.get('LUSIM_REVIEW_CACHE')
    if env:
        return os.path.abspath(env)
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'lusim', 'review')


def rewrite_paths(text, names, bdir=None):
    """Mail copies by the mail's name; source files as build-relative
    paths (../../src/sim/x.c) by their path in the source tree."""
    for p, n in names.items():
        text = text.replace(p, n)
        if bdir:
            # a mail copy under the source tree is named relative to the
            # build directory in #line (the splicer's path style)
            text = text.replace(os.path.relpath(p, bdir), n)
    if bdir:
        up = os.path.relpath(ROOT, bdir) + os.sep
        text = text.replace(up, '')
    return text


def mail_diags(output, names, build):
    """Compiler/splicer diagnostics in the mail's coordinates."""
    out = []
    for ln in output.splitlines():
        m = DIAG_RE.match(ln.strip())
        if not m:
            continue
        f = os.path.normpath(os.path.join(build, m.group(1)))
        if f in names:
            col = ':%s' % m.group(3) if m.group(3) else ''
            out.append('%s:%s%s: %s: %s' % (names[f], m.group(2), col, m.group(4), m.group(5)))
    return out


def build(args, key, overrides, names, label):
    """Configure (once) and build the review binaries in CACHE/KEY/build.
    Returns the build directory; appends ninja's output to CACHE/KEY/build.log."""
    kdir = os.path.join(cache_root(args), key)
    bdir = os.path.join(kdir, 'build')
    log = os.path.join(kdir, 'build.log')
    os.makedirs(kdir, exist_ok=True)
    paths = []
    for i, ov in enumerate(overrides):
        if os.path.isabs(ov) and os.path.exists(ov) and not ov.startswith(kdir):
            paths.append(ov)
            continue
        p = os.path.join(kdir, 'override-%d.c' % (i + 1))
        if not os.path.exists(p) or open(p).read() != ov:
            with open(p, 'w') as f:
                f.write(ov)
        paths.append(p)
    env = dict(os.environ, CC=os.environ.get('LUSIM_REVIEW_CC', 'clang'))
    with open(log, 'a') as lf:
        lf.write('== %s: %s\n' % (time.strftime('%Y-%m-%d %H:%M:%S'), label))
        if not os.path.exists(os.path.join(bdir, 'build.ninja')):
            cmd = ['meson', 'setup', bdir, ROOT, '-Dfuzzing=libfuzzer',
                   '-Db_sanitize=address,undefined', '-Db_lundef=false', '-Dbenchmarks=false',
                   '-Ddebug=false',
                   '-Dc_args=' + BUILD_FLAGS, '-Dc_link_args=' + BUILD_FLAGS,
                   '-Dkernel_overrides=' + ','.join(paths)]
            lf.write('$ %s\n' % ' '.join(cmd))
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env)
            lf.write(p.stdout)
            if p.returncode:
                shutil.rmtree(bdir, ignore_errors=True)
                diags = mail_diags(p.stdout, names, bdir) or \
                    [ln for ln in p.stdout.splitlines() if 'error' in ln.lower()][-8:]
                raise ReviewError('configure failed:\n  ' + '\n  '.join(
                    rewrite_paths(d, names) for d in diags))
        t0 = time.time()
        # the pasted code first: an error in it fails in seconds, not after
        # the whole tree is built
        diags = syntax_check(bdir, lf, names)
        if diags:
            raise ReviewError('build failed (log: %s):\n  %s' % (log, '\n  '.join(diags)))
        cmd = ['ninja', '-C', bdir, '-j', str(args.jobs)] + BUILD_TARGETS
        lf.write('$ %s\n' % ' '.join(cmd))
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lf.write(p.stdout)
    compiled = len(re.findall(r'^\[\d+/\d+\] Compiling', p.stdout, re.M))
    diags = mail_diags(p.stdout, names, bdir)
    if p.returncode:
        if not diags:
            diags = [ln for ln in p.stdout.splitlines() if 'error' in ln][-8:]
        raise ReviewError('build failed (log: %s):\n  %s' % (log, '\n  '.join(diags)))
    if compiled:
        say('build: %s: compiled %d files in %.0f s (%s)' % (label, compiled, time.time() - t0,
                                                             bdir))
    else:
        say('build: %s: cached, nothing recompiled (%s)' % (label, bdir))
    return bdir


def syntax_check(bdir, lf, names):
    """Write the spliced copies (ninja) and compile each with -fsyntax-only
    by its command in compile_commands.json.  Returns the diagnostics in
    the mail when that fails (else [] and the full build decides)."""
    try:
        text = open(os.path.join(bdir, 'build.ninja')).read()
        cc = json.load(open(os.path.join(bdir, 'compile_commands.json')))
    except (OSError, ValueError):
        return []
    srcs = sorted(set(re.findall(r'^build ([^:]*spliced__\w+\.c)[ :]', text, re.M)))
    if not srcs:
        return []
    p = subprocess.run(['ninja', '-C', bdir] + srcs, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    lf.write(p.stdout)
    if p.returncode:
        return mail_diags(p.stdout, names, bdir)
    out = []
    for e in cc:
        if 'spliced__' not in e['file']:
            continue
        cmd = shlex.split(e['command'])
        if '-o' in cmd:
            i = cmd.index('-o')
            del cmd[i:i + 2]
        cmd = [c for c in cmd if c not in ('-MD',)]
        for opt in ('-MQ', '-MF'):
            while opt in cmd:
                i = cmd.index(opt)
                del cmd[i:i + 2]
        cmd.append('-fsyntax-only')
        q = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           cwd=e['directory'])
        lf.write('$ (syntax check) %s\n%s' % (e['file'], q.stdout))
        if q.returncode:
            out += mail_diags(q.stdout, names, bdir)
        else:
            for d in mail_diags(q.stdout, names, bdir):
                say('  ' + d)        # warnings: shown, never fatal
    return out


def build_key(kind, overrides):
    h = hashlib.sha256(BUILD_VERSION.encode() + b'\0' + ROOT.encode() + b'\0' + kind.encode())
    for ov in overrides:
        h.update(b'\0')
        if os.path.isabs(ov) and os.path.exists(ov):
            h.update(ov.encode() + b'\0' + open(ov, 'rb').read())
        else:
            h.update(ov.encode())
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------
# Campaign

def campaign_env(args, extra=None):
    env = dict(os.environ, MALLOC_PERTURB_='0')
    env.setdefault('LUSIM_SUPPRESSIONS', os.path.join(ROOT, 'fuzz', 'known-findings.supp'))
    env.pop('LUSIM_BUGS', None)
    env.pop('LUSIM_SERIES', None)
    if args.bug:
        env['LUSIM_BUGS'] = ','.join(args.bug)
    if args.series:
        env['LUSIM_SERIES'] = args.series
    env.update(extra or {})
    return env


def env_prefix(args):
    p = ['LUSIM_SUPPRESSIONS=%s' % rel(os.path.join(ROOT, 'fuzz', 'known-findings.supp'))]
    if args.bug:
        p.append('LUSIM_BUGS=' + ','.join(args.bug))
    if args.series:
        p.append('LUSIM_SERIES=' + args.series)
    return ' '.join(p)


def seeds_dir(args, wdir):
    seeds = os.path.join(ROOT, 'corpus', 'fuzz_ops')
    if not args.no_rb_seeds:
        return seeds
    d = os.path.join(wdir, 'seeds')
    os.makedirs(d, exist_ok=True)
    for f in sorted(os.listdir(seeds)):
        if not f.startswith('rb-'):
            shutil.copy(os.path.join(seeds, f), d)
    return d


def run_campaign(args, bdir, wdir):
    shutil.rmtree(wdir, ignore_errors=True)
    corpus = os.path.join(wdir, 'corpus')
    art = os.path.join(wdir, 'artifacts')
    prof = os.path.join(wdir, 'fuzz-profiles')
    for d in (corpus, art, prof):
        os.makedirs(d)
    seeds = seeds_dir(args, wdir)
    cmd = [os.path.join(bdir, 'fuzz', 'fuzz_ops'), '-fork=%d' % args.workers,
           '-ignore_crashes=1', '-ignore_timeouts=1', '-ignore_ooms=1',
           '-max_total_time=%d' % args.time, '-artifact_prefix=%s/' % art,
           '-seed=%d' % args.seed, '-print_final_stats=1',
           '-dict=%s' % os.path.join(ROOT, 'fuzz', 'fuzz_ops.dict'), corpus, seeds]
    env = campaign_env(args, {'LLVM_PROFILE_FILE': os.path.join(prof, '%p.profraw')})
    say('fuzzing %d s on %d worker%s: %s' % (args.time, args.workers,
                                             '' if args.workers == 1 else 's',
                                             ' '.join(cmd[1:7])))
    t0 = time.time()
    with open(os.path.join(wdir, 'log'), 'w') as lf:
        p = subprocess.run(cmd, stdout=lf, stderr=subprocess.STDOUT, env=env, cwd=wdir)
    log = open(os.path.join(wdir, 'log'), errors='replace').read()
    st = summary.parse_log(log)
    st['wall'] = time.time() - t0
    st['rc'] = p.returncode
    st['seeds'] = seeds
    if 'execs' not in st:
        tail = '\n  '.join(log.strip().splitlines()[-10:])
        raise ReviewError('the fuzzer did not run (log %s):\n  %s' %
                          (os.path.join(wdir, 'log'), tail))
    shutil.rmtree(prof, ignore_errors=True)
    return st


def const_sites(bdir, wdir, args):
    """WARN-CONST-COND and other start-up findings: the replay binary's
    start-up report (the build-time site list) on an empty input."""
    empty = os.path.join(wdir, 'empty-input')
    open(empty, 'wb').close()
    cmd = [os.path.join(bdir, 'fuzz', 'fuzz_ops-replay'), empty]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors='replace', env=campaign_env(args, {'LLVM_PROFILE_FILE': '/dev/null'}))
    out = []
    for m in LUSIM_FINDING.finditer(p.stdout):
        if '(suppressed)' in m.group(0).split('\n')[0]:
            continue
        out.append((m.group(1), m.group(3) or '', m.group(2)))
    return out, cmd


def classify(replay, path, env, skip):
    """(id, site, message) of the finding one crash input makes; the
    start-up report (skip: the build-time sites) does not count."""
    try:
        p = subprocess.run([replay, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors='replace', timeout=120, env=env)
    except subprocess.TimeoutExpired:
        return ('TIMEOUT', '', 'the replay did not finish in 120 s')
    for m in LUSIM_FINDING.finditer(p.stdout):
        if '(suppressed)' in m.group(0).split('\n')[0]:
            continue
        key = (m.group(1), m.group(3) or '')
        if key not in skip:
            return key + (m.group(2),)
    m = summary.SAN.search(p.stdout)
    if m:
        return ('%s-%s' % ({'AddressSanitizer': 'ASAN', 'UndefinedBehaviorSanitizer': 'UBSAN',
                            'LeakSanitizer': 'LSAN'}.get(m.group(1), m.group(1)), m.group(2)),
                m.group(3) or '', m.group(2) + (' in %s' % m.group(4) if m.group(4) else ''))
    m = summary.UBSAN.search(p.stdout)
    if m:
        return ('UBSAN', m.group(1), m.group(2))
    if p.returncode == 0:
        kind = os.path.basename(path).split('-')[0]
        if kind in ('timeout', 'slow', 'oom'):
            return (kind.upper(), '', 'libFuzzer %s unit; replays within limits here' % kind)
        return ('NOT-REPRODUCED', '', '%s replays cleanly' % os.path.basename(path))
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ''
    return ('EXIT-%d' % p.returncode, '', last[:200])


def classify_artifacts(args, bdir, wdir, consts):
    art = os.path.join(wdir, 'artifacts')
    replay = os.path.join(bdir, 'fuzz', 'fuzz_ops-replay')
    env = campaign_env(args, {'LLVM_PROFILE_FILE': '/dev/null'})
    skip = {(c[0], c[1]) for c in consts}
    found = {}
    for f in sorted(os.listdir(art)):
        path = os.path.join(art, f)
        fid, site, msg = classify(replay, path, env, skip)
        e = found.setdefault((fid, site), {'msg': msg, 'files': []})
        e['files'].append(path)
    return found


# --------------------------------------------------------------------------
# Findings: doc entry, minimized scenario

def doc_entry(fid):
    """(doc file, heading, summary) of the oracle's documentation."""
    docs = os.path.join(ROOT, 'docs')
    # the oracle docs first, then the shim's (its finding ids), then the rest
    first = ['oracles.md', 'kernel-shim.md', 'kernel-shim-locks.md', 'kernel-shim-mem.md',
             'kernel-shim-xarray.md', 'luo-kho.md', 'hw.md']
    names = [f for f in first if os.path.exists(os.path.join(docs, f))] + \
        sorted(f for f in os.listdir(docs) if f.endswith('.md') and f not in first)
    pat = re.compile(r'(?<![\w-])%s(?![\w-])' % re.escape(fid))
    for n in names:
        lines = open(os.path.join(docs, n)).read().splitlines()
        for i, ln in enumerate(lines):
            if ln.startswith('#') and pat.search(ln):
                body, j = [], i + 1
                while j < len(lines) and not lines[j].startswith('#'):
                    body.append(lines[j])
                    j += 1
                text = ' '.join(body)
                parts = re.findall(r'\*\*(Checks|Why):\*\*\s*(.*?)(?=\*\*\w+:\*\*|```|$)', text)
                if parts:
                    # all of Checks, the first sentence of Why
                    s = ' '.join('%s: %s' % (k, v.strip() if k == 'Checks' else
                                             re.split(r'(?<=[.;])\s', v.strip())[0])
                                 for k, v in parts)
                else:
                    paras = [p.strip() for p in '\n'.join(body).split('\n\n') if p.strip()]
                    s = re.sub(r'\s+', ' ', paras[0]) if paras else ''
                return ('docs/' + n, ln.lstrip('# ').strip(), s)
    # a table row that is about the id (its first cell names it) ...
    for n in names:
        for ln in open(os.path.join(docs, n)).read().splitlines():
            if ln.startswith('|') and pat.search(ln.strip('|').split('|')[0]):
                cells = [c.strip() for c in ln.strip('|').split('|')]
                return ('docs/' + n, 'table', ' | '.join(cells))
    # ... else the first sentence of prose that defines it
    for n in names:
        text = open(os.path.join(docs, n)).read()
        for para in text.split('\n\n'):
            if para.startswith(('|', '```', '#')) or not pat.search(para):
                continue
            para = re.sub(r'\s+', ' ', para)
            for sent in re.split(r'(?<=[.;])\s', para):
                if pat.search(sent):
                    return ('docs/' + n, 'text', sent.strip())
    return (None, None, 'no documentation entry found for %s' % fid)


def minimize(args, bdir, rdir, fid, site, crash):
    """Decode, minimize and check one finding.  Returns (scenario file,
    text, reproduced, note)."""
    lusim = os.path.join(bdir, 'tools', 'lusim', 'lusim')
    env = campaign_env(args, {'LLVM_PROFILE_FILE': '/dev/null'})
    base = re.sub(r'[^\w.-]', '_', '%s@%s' % (fid, site) if site else fid)
    dec = os.path.join(rdir, base + '.decoded.lus')
    out = os.path.join(rdir, base + '.lus')
    want = '%s@%s' % (fid, site) if site else fid
    try:
        subprocess.run([lusim, 'decode', '-o', dec, crash], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env, timeout=120)
        p = subprocess.run([lusim, 'minimize', '--id', want, '-o', out, dec],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors='replace', env=env, timeout=300)
        if not os.path.exists(out) or p.returncode not in (0, 1):
            return None, '', False, 'lusim minimize failed: ' + p.stdout.strip()[-300:]
        r = subprocess.run([lusim, 'run', out], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors='replace', env=env,
                           timeout=120)
    except subprocess.TimeoutExpired:
        return None, '', False, 'timed out'
    ok = bool(re.search(r'finding %s\b' % re.escape(fid), r.stdout))
    return out, open(out).read(), ok, ''


# --------------------------------------------------------------------------
# Coverage

SHOW_RE = re.compile(r'^\s*(\d+)\|\s*([0-9.]+[kMGTE]?|)\|(.*)$')


def coverage(args, bdir, wdir, st, found, target):
    """Replay seeds, campaign corpus and crash inputs on the coverage build;
    llvm-cov show of the mail copy.  Returns {mail line: count or None}."""
    replay = os.path.join(bdir, 'fuzz', 'fuzz_ops-replay')
    pdir = os.path.join(wdir, 'profiles')
    shutil.rmtree(pdir, ignore_errors=True)
    os.makedirs(pdir)
    inputs = [st['seeds'], os.path.join(wdir, 'corpus')]
    art = os.path.join(wdir, 'artifacts')
    inputs += [os.path.join(art, f) for f in sorted(os.listdir(art))]
    # a finding aborts the replay before it writes its profile: suppress
    # every id a run reports and run again, until all inputs run through
    ids = {fid for fid, _ in found} | {'WARN', 'BUG'}
    for _ in range(8):
        env = campaign_env(args, {'LLVM_PROFILE_FILE': os.path.join(pdir, '%p.profraw'),
                                  'LUSIM_SUPPRESS': ','.join(sorted(ids))})
        p = subprocess.run([replay] + inputs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors='replace', env=env, timeout=600)
        new = {m.group(1) for m in LUSIM_FINDING.finditer(p.stdout)
               if '(suppressed)' not in m.group(0).split('\n')[0]} - ids
        if not p.returncode or not new:
            break
        ids |= new
    if p.returncode:
        # something still aborts: one process per input, so the rest counts
        files = []
        for d in inputs:
            if os.path.isdir(d):
                files += [os.path.join(d, f) for f in sorted(os.listdir(d))]
            else:
                files.append(d)
        for f in files:
            subprocess.run([replay, f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=env, timeout=120)
    raws = [os.path.join(pdir, f) for f in os.listdir(pdir) if f.endswith('.profraw')]
    if not raws:
        return None, 'no profile written'
    prof = os.path.join(wdir, 'coverage.profdata')
    p = subprocess.run(['llvm-profdata', 'merge', '-sparse', '-o', prof] + raws,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        return None, 'llvm-profdata: ' + p.stdout.strip()[-300:]
    # coverage is recorded against the spliced copies; their #line
    # directives map each line back to the mail (or the override file)
    counts = {}
    want = os.path.normpath(target)
    for sp in sorted(glob.glob(os.path.join(bdir, 'sim', 'spliced__*.c'))):
        p = subprocess.run(['llvm-cov', 'show', replay, '-instr-profile=' + prof,
                            '-show-line-counts', sp], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors='replace', cwd=bdir)
        with open(sp, errors='replace') as f:
            cf = me.ls.parse_c(f.read(), sp)
        for ln in p.stdout.splitlines():
            m = SHOW_RE.match(ln)
            if not m or cf.line_map is None:
                continue
            f, mline = cf.line_map(int(m.group(1)))
            if os.path.normpath(os.path.join(bdir, f)) != want:
                continue
            c = m.group(2)
            if c == '':
                counts.setdefault(mline, None)
                continue
            mult = {'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'E': 1e18}.get(c[-1], 1)
            n = int(float(c.rstrip('kMGTE')) * mult)
            counts[mline] = max(n, counts.get(mline) or 0)
    return counts, '%d inputs replayed' % (
        sum(len(os.listdir(d)) if os.path.isdir(d) else 1 for d in inputs))


def ranges(nums):
    out = []
    for n in sorted(nums):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ', '.join('%d' % a if a == b else '%d-%d' % (a, b) for a, b in out)


# --------------------------------------------------------------------------
# The review

def main(argv=None):
    ap = argparse.ArgumentParser(prog='lusim review', description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog='See docs/review.md.')
    ap.add_argument('mail', metavar='MAIL')
    ap.add_argument('--time', type=int, default=60)
    ap.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--series')
    ap.add_argument('--bug', action='append', default=[])
    ap.add_argument('--emit')
    ap.add_argument('--html')
    ap.add_argument('--baseline', action='store_true')
    ap.add_argument('--cache')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--no-rb-seeds', action='store_true')
    ap.add_argument('--build-only', action='store_true')
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    for b in args.bug:
        if not re.match(r'^RB-\d{1,3}$', b):
            print('lusim review: --bug: expected RB-nn, not %r' % b, file=sys.stderr)
            return 2
    if args.time < 1 or args.workers < 1:
        print('lusim review: --time and --workers must be positive', file=sys.stderr)
        return 2
    try:
        return review(args)
    except ReviewError as e:
        print('lusim review: %s' % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 2
    except OSError as e:
        print('lusim review: %s%s' % (e.filename + ': ' if e.filename else '', e.strerror),
              file=sys.stderr)
        return 2


def review(args):
    if args.emit == '-':
        SAY['file'] = sys.stderr
    src = Source(args.mail)
    cache = cache_root(args)
    ex, overrides, names = extract(src, cache)
    print_extraction(ex, src)
    if ex.kind == 'patch' and not ex.targets:
        raise ReviewError('%s: no usable function: the patch adds or rewrites no whole '
                          'function the model has (see "not used" above)' % src.name)
    if args.emit:
        if ex.kind == 'c-file':
            texts = [src.text]
        else:
            texts = overrides
        for i, t in enumerate(texts):
            if args.emit == '-':
                sys.stdout.write(t)
                continue
            path = args.emit if i == 0 else re.sub(r'(\.c)?$', '-%d.c' % (i + 1), args.emit, 1)
            with open(path, 'w') as f:
                f.write(t)
            say('wrote %s: edit it and rerun "lusim review %s"' % (path, path))
        return 0
    key = build_key('override', overrides)
    bdir = build(args, key, overrides, names, 'override of %s' % src.name)
    if args.build_only:
        return 0
    kdir = os.path.dirname(bdir)
    wdir = os.path.join(kdir, 'campaign')
    rdir = os.path.join(kdir, 'report')
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    st = run_campaign(args, bdir, wdir)
    consts, const_cmd = const_sites(bdir, wdir, args)
    found = classify_artifacts(args, bdir, wdir, consts)
    base_ids = None
    if args.baseline:
        bkey = build_key('baseline', [])
        bbdir = build(args, bkey, [], {}, 'baseline (the model\'s own functions)')
        bwdir = os.path.join(os.path.dirname(bbdir), 'campaign')
        bst = run_campaign(args, bbdir, bwdir)
        bconsts, _ = const_sites(bbdir, bwdir, args)
        bfound = classify_artifacts(args, bbdir, bwdir, bconsts)
        base_ids = {fid for fid, _ in bfound} | {c[0] for c in bconsts}
        base_ids_sites = set(bfound) | {(c[0], c[1]) for c in bconsts}
        base_st = bst
    cov_funcs = [f for t in ex.targets for f in t.functions]
    cov_file = next(iter(names))
    cov_name = src.name
    if ex.kind == 'c-file':
        # a C file's functions, where its own #line directives (if any) put them
        cf = me.ls.parse_c(src.text, overrides[0])
        cov_funcs = []
        for it in cf.functions:
            f, a = cf.loc(it.line)
            _, b = cf.loc(it.end_line)
            cov_funcs.append(me.Function(it.name, '', a, b, '', []))
            if f != overrides[0]:
                cov_file, cov_name = f, f
    counts, cov_note = coverage(args, bdir, wdir, st, found, cov_file)

    lines = []

    def out(s=''):
        lines.append(s)
        say(s)

    out()
    out('== lusim review report: %s' % src.name)
    secs = st.get('secs') or args.time
    out('campaign: %d s on %d worker%s, %s executions (%s exec/s), corpus %d inputs '
        '(seeds: %s)' % (secs, args.workers, '' if args.workers == 1 else 's',
                         '{:,}'.format(st.get('execs', 0)),
                         '{:,.0f}'.format(st.get('execs', 0) / max(secs, 1)),
                         summary.dirsize(os.path.join(wdir, 'corpus')),
                         os.path.relpath(st['seeds'], ROOT) if st['seeds'].startswith(ROOT)
                         else st['seeds']))
    if args.bug or args.series:
        out('switches: %s' % env_prefix(args).split(' ', 1)[-1])
    # group by id
    byid = {}
    for fid, site, msg in consts:
        byid.setdefault(fid, []).append({'site': site, 'msg': msg, 'files': [],
                                         'const': True})
    for (fid, site), e in sorted(found.items()):
        byid.setdefault(fid, []).append({'site': site, 'msg': e['msg'], 'files': e['files'],
                                         'const': False})
    out('findings: %s' % ('none' if not byid else '%d distinct id%s: %s' % (
        len(byid), '' if len(byid) == 1 else 's', ', '.join(sorted(byid)))))
    for fid in sorted(byid):
        out()
        doc, head, text = doc_entry(fid)
        out('* %s' % fid)
        if base_ids is not None:
            out('  baseline: %s' % ('the model itself has it too' if fid in base_ids
                                   else 'not found on the model\'s own functions: '
                                        'comes with the patch'))
        rule = textwrap.wrap('%s%s' % ('%s, "%s": ' % (doc, head) if doc else '', text),
                             width=96, break_on_hyphens=False)
        out('  rule: ' + '\n        '.join(rule))
        for e in byid[fid]:
            site = rewrite_paths(e['site'], names, bdir)
            out('  - %s%s' % (e['msg'], '  at %s' % site if site else ''))
            if e['const']:
                out('    found in the build\'s WARN site list (a compile-time constant '
                    'condition): every run of this build reports it, no scenario needed')
                out('    rerun: %s %s' % (env_prefix(args), ' '.join(
                    rel(c) if os.path.exists(c) else c for c in const_cmd)))
                continue
            crash = min(e['files'], key=lambda f: (os.path.getsize(f), f))
            scen, text_s, ok, note = minimize(args, bdir, rdir, fid, e['site'], crash)
            out('    %d crash input%s; smallest: %s' % (len(e['files']),
                                                      '' if len(e['files']) == 1 else 's',
                                                      rel(crash)))
            if scen is None:
                out('    minimized scenario: not available (%s)' % note)
                out('    rerun: %s %s %s' % (env_prefix(args), rel(
                    os.path.join(bdir, 'fuzz', 'fuzz_ops-replay')), rel(crash)))
                continue
            body = [rewrite_paths(ln, names, bdir) for ln in text_s.splitlines() if ln.strip()]
            out('    minimized scenario (%s; lusim run %s):' % (
                rel(scen), 'reproduces it' if ok else 'does NOT reproduce it'))
            for ln in body[:40]:
                out('      ' + ln)
            if len(body) > 40:
                out('      ... (%d more lines)' % (len(body) - 40))
            out('    rerun: %s %s run --trace %s' % (
                env_prefix(args), rel(os.path.join(bdir, 'tools', 'lusim', 'lusim')),
                rel(scen)))
    if base_ids is not None:
        out()
        out('baseline: %d s, %s executions on the model\'s own functions; %s' % (
            base_st.get('secs') or args.time, '{:,}'.format(base_st.get('execs', 0)),
            'findings: ' + ', '.join(sorted(base_ids)) if base_ids else 'no finding'))
    # coverage
    out()
    cov_rows = []
    if counts is None:
        out('coverage: not available (%s)' % cov_note)
    else:
        out('coverage of the extracted functions (llvm-cov; %s):' % cov_note)
        for f in cov_funcs:
            code = [ln for ln in range(f.line, f.end_line + 1) if counts.get(ln) is not None]
            hit = [ln for ln in code if counts[ln] > 0]
            miss = [ln for ln in code if counts[ln] == 0]
            out('  %s()  %s:%d-%d: %d of %d lines reached' % (
                f.name, cov_name, f.line, f.end_line, len(hit), len(code)))
            if miss:
                out('    not reached: %s:%s' % (cov_name, ranges(miss)))
            cov_rows.append((f, hit, miss))
    status = 1 if byid else 0
    out()
    out('exit status %d (%s)' % (status, 'findings' if byid else 'no finding'))
    with open(os.path.join(rdir, 'report.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    if args.html:
        try:
            with open(cov_file, errors='replace') as f:
                shown = f.read()
        except OSError:
            shown = src.text
        write_html(args.html, lines, cov_rows, counts, src, shown)
        say('wrote %s' % os.path.join(args.html, 'index.html'))
    return status


def write_html(d, lines, rows, counts, src, shown):
    os.makedirs(d, exist_ok=True)
    text_lines = shown.splitlines()
    h = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>lusim review: %s</title>'
         % html.escape(src.name),
         '<style>body{font-family:sans-serif;margin:2em}pre{background:#f6f6f6;padding:1em}'
         'table.src{border-collapse:collapse;font-family:monospace;font-size:13px}'
         'table.src td{padding:0 .5em;white-space:pre}.hit{background:#dfd}.miss{background:#fcc}'
         '.n{color:#888;text-align:right}.mail{color:#888;font-style:italic}</style></head><body>',
         '<h1>lusim review: %s</h1>' % html.escape(src.name),
         '<h2>Report</h2><pre>%s</pre>' % html.escape('\n'.join(lines)),
         '<h2>Annotated source of the extracted functions</h2>',
         '<p>Green: reached by the campaign; red: not reached; uncoloured: no code; '
         'grey italics: the mail between the function\'s lines (reviewers\' comments). '
         'Line numbers are the mail\'s; the count is how many times the line ran.</p>']
    for f, hit, miss in rows:
        h.append('<h3>%s() &mdash; %d of %d lines reached</h3><table class="src">' % (
            html.escape(f.name), len(hit), len(hit) + len(miss)))
        # the function's code as extracted (quote marks and diff signs off,
        # re-indented if the tabs were lost); other lines are the mail's
        code = {}
        if f.text:
            src = [t for _, t in f.text]
            if f.tabs_lost:
                src = me.reindent(src)
            code = {no: t for (no, _), t in zip(f.text, src)}
        for ln in range(f.line, f.end_line + 1):
            c = counts.get(ln) if counts else None
            cls = '' if c is None else (' class="hit"' if c > 0 else ' class="miss"')
            if ln in code:
                t = code[ln].expandtabs(8)
            else:
                t = text_lines[ln - 1] if ln - 1 < len(text_lines) else ''
                cls = cls or ' class="mail"'
            h.append('<tr%s><td class="n">%d</td><td class="n">%s</td><td>%s</td></tr>' % (
                cls, ln, '' if c is None else c, html.escape(t)))
        h.append('</table>')
    h.append('</body></html>')
    with open(os.path.join(d, 'index.html'), 'w') as f:
        f.write('\n'.join(h) + '\n')


if __name__ == '__main__':
    sys.exit(main())
