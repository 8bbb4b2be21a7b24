#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end test of -Dkernel_overrides through the real meson build.

Configures this lusim checkout in a temporary build directory with an
override of the tiny model file tests/overrides/selftest_model.c (which
sim/meson.build treats like a kernel-model file), builds only the
override_selftest program and checks that:

  1. configure lists what is overridden;
  2. the build shows the override's warning at the override's line and does
     not fail on it (override flags: no -Werror);
  3. the program runs the override's code (a replaced static function that
     calls the model file's static helper and a new function), while code
     after the replaced function still reports its original file and line;
  4. editing the override file rebuilds with the new text (no manual
     reconfigure);
  5. a compile error in an override names the override file and line;
  6. an override the splicer rejects fails configure with FILE:LINE.

usage: test_e2e.py --meson MESON --source-root DIR   (CC from the environment)
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = None


def run(cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


class EndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='lusim-overrides-')
        cls.build = os.path.join(cls.tmp, 'build')
        cls.override = os.path.join(cls.tmp, 'override_ok.c')
        shutil.copy(os.path.join(HERE, 'override_ok.c'), cls.override)
        cls.setup_rc, cls.setup_out = run(
            [ARGS.meson, 'setup', cls.build, ARGS.source_root,
             '-Dkernel_overrides=' + cls.override, '-Dbenchmarks=false',
             '-Dfuzzing=none'])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def ninja(self):
        return run(['ninja', '-C', self.build, 'tools/override_selftest'])

    def selftest(self, expect):
        return run([os.path.join(self.build, 'tools', 'override_selftest'),
                    str(expect)])

    def model_line(self, pattern):
        with open(os.path.join(HERE, 'selftest_model.c')) as f:
            for n, line in enumerate(f, 1):
                if pattern in line:
                    return n
        raise AssertionError(pattern)

    def test_1_to_6(self):
        # one sequence: every step reuses the configured build directory
        self.assertEqual(self.setup_rc, 0, self.setup_out)
        self.assertIn('replaced static selftest_op()', self.setup_out)
        self.assertIn('new selftest_new()', self.setup_out)

        rc, out = self.ninja()
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r'override_ok\.c:13:\d+: warning: unused '
                         r'variable .unused_on_purpose')
        self.assertNotIn('ignored_a', out)  # unused parameters: silent

        rc, out = self.selftest(1110)
        self.assertEqual(rc, 0, out)
        self.assertIn('value=1110', out)
        origin = re.search(r'origin=(.*)', out).group(1)
        self.assertTrue(origin.endswith(
            'tests/overrides/selftest_model.c:%d' %
            self.model_line('return __FILE__')), origin)

        # 4. edit the override: ninja re-plans and rebuilds by itself
        with open(self.override) as f:
            text = f.read()
        with open(self.override, 'w') as f:
            f.write(text.replace('return 1000;', 'return 2000;'))
        rc, out = self.ninja()
        self.assertEqual(rc, 0, out)
        rc, out = self.selftest(2110)
        self.assertEqual(rc, 0, out)

        # 5. a compile error in the pasted code names the override's line
        bad = os.path.join(HERE, 'compile_error_override.c')
        rc, out = run([ARGS.meson, 'configure', self.build,
                       '-Dkernel_overrides=' + bad])
        self.assertEqual(rc, 0, out)
        rc, out = self.ninja()
        self.assertNotEqual(rc, 0, out)
        self.assertRegex(out, r'compile_error_override\.c:6:\d+: error: '
                         r'.*no_such_symbol')

        # 6. the splicer's own errors fail configure with FILE:LINE
        bad = os.path.join(HERE, 'bad_override.c')
        rc, out = run([ARGS.meson, 'setup', '--reconfigure', self.build,
                       ARGS.source_root, '-Dkernel_overrides=' + bad])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("bad_override.c:10: error: unbalanced braces", out)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument('--meson', default='meson')
    ap.add_argument('--source-root',
                    default=os.path.normpath(os.path.join(HERE, '..', '..')))
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == '__main__':
    main()
