#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The lusim CLI, end to end (meson test 'lusim-cli', suite 'tools').

Usage and errors like a well-kept Unix tool: exit status 0/1/2, messages
"lusim: FILE: ...", parse errors "FILE:LINE:COL: message" with nothing run;
run, --trace, --bug, --suppress, --graph; encode/decode round trip; minimize
shrinks while the finding fires (a finding planted with the test-only
LUSIM_TEST_PLANT_FINDING=OP switch of the CLI); dict output.

    test_cli.py BUILD/tools/lusim/lusim
"""
import os
import shutil
import subprocess
import sys
import tempfile

LUSIM = None
FAILS = []


def run(*args, env=None, stdin=None):
    e = dict(os.environ)
    e.pop('LUSIM_BUGS', None)
    if env:
        e.update(env)
    p = subprocess.run([LUSIM] + list(args), capture_output=True, text=True,
                       env=e, input=stdin)
    return p.returncode, p.stdout, p.stderr


def check(cond, what, out=''):
    if not cond:
        FAILS.append(what)
        print(f'FAIL: {what}\n{out}')
    else:
        print(f'ok: {what}')


GOOD = """# a passing scenario
fd = iommufd_open
A = ioas_alloc fd expect ok
destroy fd A expect ok
destroy fd A expect -ENOENT
expect no findings
"""

FAILING = """fd = iommufd_open
A = ioas_alloc fd expect -EBUSY
"""

BAD = """fd = iommufd_open
frobnicate fd
ioas_alloc nothere
"""

PLANT = """fd = iommufd_open
A = ioas_alloc fd
B = ioas_alloc fd
m = memfd_create
memfd_truncate m pages=2
hot_remove dev=4
hot_add dev=4
destroy fd B
close m
"""


def main():
    global LUSIM
    LUSIM = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix='lusim-cli-')
    try:
        os.chdir(tmp)
        for name, text in (('good.lus', GOOD), ('failing.lus', FAILING),
                           ('bad.lus', BAD), ('plant.lus', PLANT)):
            with open(name, 'w') as f:
                f.write(text)

        rc, out, err = run()
        check(rc == 2 and err.startswith('lusim: no command\n')
              and "Try 'lusim --help'" in err, 'no command: exit 2, usage hint', err)
        rc, out, err = run('--help')
        check(rc == 0 and out.startswith('Usage: lusim COMMAND') and not err,
              '--help: exit 0 on stdout', out + err)
        rc, out, err = run('--version')
        check(rc == 0 and out.startswith('lusim '), '--version', out)
        rc, out, err = run('frob')
        check(rc == 2 and "lusim: unknown command 'frob'" in err, 'unknown command: exit 2', err)
        rc, out, err = run('run')
        check(rc == 2 and 'lusim: run: no scenario files' in err, 'run without files: exit 2', err)
        rc, out, err = run('run', '--frob', 'good.lus')
        check(rc == 2 and 'Try' in err, 'unknown option: exit 2', err)
        rc, out, err = run('run', 'missing.lus')
        check(rc == 2 and err.startswith('lusim: missing.lus: No such file or directory'),
              'missing file: exit 2, "lusim: FILE: reason"', err)

        rc, out, err = run('run', 'good.lus')
        check(rc == 0 and 'good.lus:3:19: pass: ioas_alloc: 0 (ok)' in out
              and 'good.lus: pass (4 ops, 4 expects)' in out, 'run: pass per expect, exit 0', out + err)
        rc, out, err = run('run', '-q', 'good.lus')
        check(rc == 0 and out == 'good.lus: pass (4 ops, 4 expects)\n', 'run -q: summary only', out)
        rc, out, err = run('run', 'failing.lus')
        check(rc == 1 and 'failing.lus:2:19: FAIL: ioas_alloc: expected -EBUSY, got 0 (ok)' in out
              and 'failing.lus: FAIL (2 ops, 1 expect: 1 failed)' in out,
              'failing expect: exit 1 with FILE:LINE:COL', out)
        # a parse error anywhere: every error reported, nothing runs
        rc, out, err = run('run', 'good.lus', 'bad.lus')
        check(rc == 2 and out == '' and
              err == "bad.lus:2:1: unknown op 'frobnicate' (lusim help ops lists them)\n"
                     "bad.lus:3:12: unknown name 'nothere'\n",
              'parse errors: exit 2, all errors, nothing runs', out + err)
        rc, out, err = run('run', '--trace', '-q', 'good.lus')
        check(rc == 0 and 'ioas0 = ioas_alloc iommufd0 expect ok  # line 3\n' in out,
              '--trace prints each op with its result', out)
        os.mkdir('dir')
        shutil.copy('good.lus', 'dir/b.lus')
        shutil.copy('failing.lus', 'dir/a.lus')
        rc, out, err = run('run', '-q', 'dir')
        check(rc == 1 and out.index('dir/a.lus: FAIL') < out.index('dir/b.lus: pass')
              and '1 of 2 scenarios failed' in out, 'a directory stands for its *.lus files, sorted', out + err)
        os.mkdir('empty')
        rc, out, err = run('run', 'empty')
        check(rc == 2 and 'no *.lus scenarios' in err, 'an empty directory is an error', err)
        rc, out, err = run('run', '--bug', 'RB-1x', 'good.lus')
        check(rc == 2 and 'lusim: run: --bug' in err, '--bug: malformed id is a usage error', err)
        rc, out, err = run('run', '-q', 'good.lus', env={'LUSIM_BUGS': 'nope'})
        check(rc == 2 and 'LUSIM_BUGS' in err, 'LUSIM_BUGS: malformed is an error', err)
        rc, out, err = run('run', '-q', '--bug', 'RB-03', 'good.lus', env={'LUSIM_BUGS': 'RB-01'})
        check(rc == 0, '--bug and LUSIM_BUGS accepted', out + err)

        # encode / decode round trip
        rc, out, err = run('encode', 'good.lus', '-o', 'good.bin')
        check(rc == 0 and os.path.getsize('good.bin') > 0, 'encode -o FILE', err)
        rc, out, err = run('decode', 'good.bin')
        check(rc == 0 and out.startswith('# lusim op trace: 4 ops')
              and 'destroy iommufd0 ioas0 expect -ENOENT\n' in out, 'decode prints the scenario', out + err)
        with open('decoded.lus', 'w') as f:
            f.write(out)
        rc2, out2, err2 = run('run', '-q', 'decoded.lus')
        check(rc2 == 0, 'the decoded scenario replays', out2 + err2)
        rc, out, err = run('encode', 'decoded.lus', '-o', 'again.bin')
        check(rc == 0 and open('good.bin', 'rb').read() == open('again.bin', 'rb').read(),
              'encode(decode(bin)) == bin', err)
        rc, out, err = run('encode', 'bad.lus')
        check(rc == 2 and out == '', 'encode of a bad scenario: exit 2, nothing written', err)
        rc, out, err = run('decode', 'nosuch.bin')
        check(rc == 2 and 'lusim: nosuch.bin: No such file' in err, 'decode of a missing file', err)

        # minimize: a planted finding at hot_add (test-only switch)
        plant = {'LUSIM_TEST_PLANT_FINDING': 'hot_add'}
        rc, out, err = run('run', '-q', 'plant.lus', env=plant)
        check(rc == 1 and 'unexpected finding TEST-PLANTED' in out, 'the planted finding fires', out + err)
        rc, out, err = run('minimize', 'plant.lus', '-o', 'min.lus', env=plant)
        mini = open('min.lus').read() if os.path.exists('min.lus') else ''
        check(rc == 0 and 'hot_add dev=4 expect -EEXIST\n' in mini and '1 of 9 ops' in mini and
              'ioas_alloc' not in mini and 'expect finding TEST-PLANTED' in mini,
              'minimize keeps only what the finding needs', mini + err)
        rc, out, err = run('run', '-q', 'min.lus', env=plant)
        check(rc == 0, 'the minimized scenario reproduces', out + err)
        rc, out, err = run('minimize', 'good.lus')
        check(rc == 1 and 'no finding fires' in err, 'minimize without a finding: exit 1', err)
        rc, out, err = run('minimize', '--id', 'NOPE', 'plant.lus', env=plant)
        check(rc == 1 and 'finding NOPE does not fire' in err, 'minimize --id of a finding that does not fire', err)
        rc, out, err = run('run', '-q', '--suppress', 'TEST-PLANTED', 'plant.lus', env=plant)
        check(rc == 0, '--suppress runs past a known finding', out + err)
        with open('supp.txt', 'w') as f:
            f.write('# known\nTEST-PLANTED@test\n')
        rc, out, err = run('run', '-q', '--suppressions', 'supp.txt', 'plant.lus', env=plant)
        check(rc == 0, '--suppressions FILE', out + err)

        # the graph
        rc, out, err = run('run', '-q', '--graph', 'g.dot', 'good.lus', 'good.lus')
        check(rc == 2 and 'exactly one' in err, '--graph takes one file', err)
        with open('attach.lus', 'w') as f:
            f.write('fd = iommufd_open\nA = ioas_alloc fd\nvfio_pci_bind dev=0\n'
                    'v = vfio_open dev=0\nd = vfio_bind v fd\n'
                    'h = hwpt_alloc fd d A flags=pasid\nvfio_attach v h\n'
                    'vfio_attach v h pasid=5\nluo = luo_open\ns = session_create luo name=vm1\n')
        rc, out, err = run('run', '-q', '--graph', 'g.dot', 'attach.lus', env=plant)
        dot = open('g.dot').read() if os.path.exists('g.dot') else ''
        check(rc == 0 and dot.startswith('digraph lusim {') and '"idev0" -> "hwpt0" [color=blue, label="RID"]' in dot
              and 'label="pasid 5"' in dot and '"vfio0" -> "dev0"' in dot and 'session0' in dot
              and dot.rstrip().endswith('}'), '--graph writes the object graph', dot + err)
        if shutil.which('dot'):
            check(os.path.exists('g.svg'), '--graph renders SVG with dot', err)

        rc, out, err = run('dict', 'fuzz_ops')
        check(rc == 0 and 'kexec="' in out, 'dict fuzz_ops', err)
        rc, out, err = run('dict', 'nope')
        check(rc == 2, 'dict of an unknown target: exit 2', err)
        rc, out, err = run('help', 'ops')
        check(rc == 0 and 'ioas = ioas_alloc iommufd' in out, 'help ops lists the table', out)
    finally:
        os.chdir('/')
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILS:
        print(f'{len(FAILS)} check(s) failed')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
