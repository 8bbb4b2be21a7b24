#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""lusim review's extraction (tools/review/mailextract.py), pure Python.

Quoting at any depth, lost leading tabs, interleaved comments, snipped and
partial hunks, unmodelled files and functions, #line mapping back to the
mail, and the error of an empty or code-less mail.

usage: test_extract.py [--source-root DIR]
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
if '--source-root' in sys.argv:
    i = sys.argv.index('--source-root')
    ROOT = os.path.abspath(sys.argv[i + 1])
    del sys.argv[i:i + 2]
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, 'tools', 'review'))
sys.path.insert(0, os.path.join(ROOT, 'tools', 'splice'))

import mailextract as me  # noqa: E402
import lusim_splice as ls  # noqa: E402

MAILS = os.path.join(ROOT, 'tests', 'review', 'mails')
REVIEW = os.path.join(ROOT, 'tools', 'review', 'lusim_review.py')


def mail(name):
    with open(os.path.join(MAILS, name)) as f:
        return f.read()


def ex_of(text, name='MAIL'):
    return me.extract(text, ROOT, name)


def funcs(ex):
    return [(f.name, f.how) for t in ex.targets for f in t.functions]


def code(ex, name):
    """A function's code with all whitespace removed (tab loss compares equal)."""
    for t in ex.targets:
        for f in t.functions:
            if f.name == name:
                return re.sub(r'\s+', '', ''.join(s for _, s in f.text))
    return None


def hunk(path, lines, header='', start=10):
    """A unified diff of one hunk; lines: (kind, text)."""
    old = sum(1 for k, _ in lines if k in ' -')
    new = sum(1 for k, _ in lines if k in ' +')
    out = ['diff --git a/%s b/%s' % (path, path), '--- a/' + path, '+++ b/' + path,
           '@@ -%d,%d +%d,%d @@ %s' % (start, old, start, new, header)]
    out += [k + t for k, t in lines]
    return out


NEWFN = [('+', 'int iommufd_device_preserve(struct liveupdate_session *s,'),
         ('+', '\t\t\t    struct iommufd_device *idev, u64 *tokenp)'),
         ('+', '{'),
         ('+', '\tif (!idev)'),
         ('+', '\t\treturn -EINVAL;'),
         ('+', '\treturn 0;'),
         ('+', '}')]


class Quoting(unittest.TestCase):
    def test_depths(self):
        for raw, depth, text in [('> +foo', 1, '+foo'), ('> > +foo', 2, '+foo'),
                                 ('>> +foo', 2, '+foo'), ('>  ctx', 1, ' ctx'),
                                 ('>', 1, ''), ('plain', 0, 'plain'),
                                 (' > > -x', 2, '-x'), ('>>> @@ -1 +1 @@', 3, '@@ -1 +1 @@')]:
            ml = me.split_quotes(raw)[0]
            self.assertEqual((ml.depth, ml.text), (depth, text), raw)

    def test_same_functions_at_every_depth(self):
        base = ex_of(mail('fixed-pair.patch'))
        want = [('iommufd_device_preserve', 'added whole'),
                ('iommufd_device_unpreserve', 'added whole')]
        self.assertEqual(funcs(base), want)
        for m in ('fixed-pair-reply.eml', 'fixed-pair-reply2.eml'):
            ex = ex_of(mail(m))
            self.assertEqual(funcs(ex), want, m)
            for name, _ in want:
                self.assertEqual(code(ex, name), code(base, name), (m, name))
            self.assertTrue(all(f.tabs_lost for t in ex.targets for f in t.functions), m)
        self.assertIn('depth 1', ex_of(mail('fixed-pair-reply.eml')).notes[0])
        self.assertIn('depth 2', ex_of(mail('fixed-pair-reply2.eml')).notes[0])

    def test_comments_are_not_code(self):
        ex = ex_of(mail('fixed-pair-reply2.eml'))
        allcode = ''.join(s for t in ex.targets for f in t.functions for _, s in f.text)
        for words in ('Good, this is what I asked', 'Agree with Rita', 'kernel-doc'):
            self.assertNotIn(words, allcode)
        # the lines of the function skip the comment lines: mail line numbers jump
        f = ex.targets[0].functions[0]
        nos = [no for no, _ in f.text]
        self.assertGreater(nos[-1] - nos[0] + 1, len(nos))

    def test_mail_lines(self):
        text = mail('v1-pair-reply.eml')
        lines = text.splitlines()
        ex = ex_of(text)
        for t in ex.targets:
            for f in t.functions:
                for no, s in f.text:
                    raw = lines[no - 1]
                    self.assertTrue(raw.startswith('> +'), raw)
                    self.assertEqual(raw[3:].strip(), s.strip())
        f = ex.targets[0].functions[1]
        self.assertEqual(lines[f.line - 1], '> +void iommufd_device_unpreserve('
                         'struct liveupdate_session *s,')

    def test_lost_context_space(self):
        body = hunk('drivers/iommu/iommufd/device.c',
                    [(' ', '}'), (' ', '')] + NEWFN + [(' ', '')])
        # the mailer ate the single space of the context lines
        body = [ln[1:] if ln.startswith(' ') else ln for ln in body]
        ex = ex_of('\n'.join(body) + '\n')
        self.assertEqual(funcs(ex), [('iommufd_device_preserve', 'added whole')])

    def test_reindent(self):
        out = me.reindent(['int f(void)', '{', 'if (x) {', 'y = g(a,', 'b);', '}',
                           'out:', 'return 0;', '}'])
        self.assertEqual(out, ['int f(void)', '{', '\tif (x) {', '\t\ty = g(a,',
                               '\t\t\tb);', '\t}', 'out:', '\treturn 0;', '}'])


class Classification(unittest.TestCase):
    def test_partial_hunk(self):
        ex = ex_of(mail('partial-hunk.patch'))
        self.assertEqual(funcs(ex), [('iommufd_device_preserve', 'rewritten, shown whole')])
        sk = {s.what: s.reason for s in ex.skipped}
        self.assertIn('changed in part', sk['iommufd_device_is_preserved() in '
                                            'drivers/iommu/iommufd/device.c'])

    def test_model_lacks(self):
        ex = ex_of(mail('model-lacks.patch'))
        self.assertEqual(ex.targets, [])
        sk = {s.what: s.reason for s in ex.skipped}
        self.assertIn('no model counterpart',
                      sk['iommufd_device_frobnicate() in drivers/iommu/iommufd/device.c'])
        self.assertIn('does not model this file',
                      sk['amd_iommu_preserve() in drivers/iommu/amd/iommu.c'])

    def test_new_helper_kept(self):
        lines = [('+', 'static int lu_helper(int x)'), ('+', '{'), ('+', '\treturn x;'),
                 ('+', '}'), ('+', '')] + NEWFN[:3] + [('+', '\treturn lu_helper(0);'),
                                                     ('+', '}')]
        ex = ex_of('\n'.join(hunk('drivers/iommu/iommufd/device.c', lines)) + '\n')
        self.assertEqual([n for n, _ in funcs(ex)], ['lu_helper', 'iommufd_device_preserve'])
        self.assertIn('new helper', funcs(ex)[0][1])

    def test_context_only_function(self):
        lines = [(' ', l[1]) for l in NEWFN] + [('+', ''), ('+', '/* x */')]
        ex = ex_of('\n'.join(hunk('drivers/iommu/iommufd/device.c', lines)) + '\n')
        self.assertEqual(ex.targets, [])
        self.assertIn('not changed', ex.skipped[0].reason)

    def test_snipped_quote_is_partial(self):
        lines = ['> ' + ln for ln in hunk('drivers/iommu/iommufd/device.c', NEWFN)]
        lines = lines[:8] + ['> [...]'] + lines[9:]
        ex = ex_of('\n'.join(lines) + '\n')
        self.assertEqual(ex.targets, [])
        self.assertIn('changed in part', ex.skipped[0].reason)

    def test_trimmed_quote_is_partial(self):
        lines = ['> ' + ln for ln in hunk('drivers/iommu/iommufd/device.c', NEWFN)][:-2]
        lines += ['', 'I stopped reading here.']
        ex = ex_of('\n'.join(lines) + '\n')
        self.assertEqual(ex.targets, [])
        self.assertTrue(ex.skipped)

    def test_header_and_shim_files(self):
        lines = hunk('drivers/iommu/iommufd/iommufd_private.h',
                     [('+', 'static inline int f(void)'), ('+', '{'), ('+', '\treturn 0;'),
                      ('+', '}')])
        ex = ex_of('\n'.join(lines) + '\n')
        self.assertIn('header', ex.skipped[0].reason)
        lines = hunk('kernel/liveupdate/luo_file.c', NEWFN)
        ex = ex_of('\n'.join(lines) + '\n')
        self.assertIn('kernel shim', ex.skipped[0].reason)

    def test_guard_kept(self):
        ex = ex_of(mail('fixed-pair.patch'))
        self.assertEqual(ex.targets[0].functions[0].guards, ['#ifdef CONFIG_IOMMU_LIVEUPDATE'])
        self.assertIn('#include <linux/liveupdate.h>', [i for _, i in ex.targets[0].includes])

    def test_errors(self):
        for text in ('', '\n\n  \n'):
            with self.assertRaises(me.ExtractError) as c:
                ex_of(text)
            self.assertIn('empty', str(c.exception))
        with self.assertRaises(me.ExtractError) as c:
            ex_of('Hello,\n\nno patch here, sorry.\n')
        self.assertIn('no unified diff', str(c.exception))

    def test_c_file(self):
        ex = ex_of('int f(void)\n{\n\treturn 0;\n}\n')
        self.assertEqual(ex.kind, 'c-file')


class Override(unittest.TestCase):
    def test_line_map_through_the_splicer(self):
        text = mail('v1-pair-reply.eml')
        ex = ex_of(text)
        ov = me.render_override(ex.targets[0], '/m/mail.txt', 'v1-pair-reply.eml')
        cf = ls.parse_c(ov, '/tmp/ov.c')
        self.assertFalse(cf.errors)
        self.assertEqual(cf.target, 'drivers/iommu/iommufd/device.c')
        byname = {it.name: it for it in cf.functions}
        self.assertEqual(set(byname), {'iommufd_device_preserve', 'iommufd_device_unpreserve'})
        lines = text.splitlines()
        for it in cf.functions:
            f, ln = cf.loc(it.line)
            self.assertEqual(f, '/m/mail.txt')
            self.assertIn(it.name, lines[ln - 1])
        # every line of the override maps onto the same code in the mail
        ovl = ov.splitlines()
        for it in cf.functions:
            for k in range(it.line, it.end_line + 1):
                if ovl[k - 1].startswith('#line'):
                    continue
                f, ln = cf.loc(k)
                self.assertEqual(lines[ln - 1][3:].strip(), ovl[k - 1].strip(), k)
        # no '#line' item leaks into the splicer's declarations
        self.assertFalse([it for it in cf.items if it.kind == 'decl' and
                          it.directive and it.directive.name == 'line'])

    def test_emit_and_cli_errors(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, 'ov.c')
            p = subprocess.run([sys.executable, REVIEW, '--cache', d, '--emit', out,
                                os.path.join(MAILS, 'fixed-pair-reply2.eml')],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out) as f:
                self.assertIn('lusim-target: drivers/iommu/iommufd/device.c', f.read())
            self.assertIn('fixed-pair-reply2.eml:29-89  iommufd_device_preserve()', p.stdout)
            # the override (hence the build cache key) depends on the mail's
            # content only, not on where it is saved
            other = os.path.join(d, 'renamed.txt')
            with open(os.path.join(MAILS, 'fixed-pair-reply2.eml')) as f, \
                    open(other, 'w') as g:
                g.write(f.read())
            p2 = subprocess.run([sys.executable, REVIEW, '--cache', d, '--emit', '-', other],
                                capture_output=True, text=True)
            with open(out) as f:
                self.assertEqual(p2.stdout.split('*/\n', 1)[-1].strip(),
                                 f.read().split('*/\n', 1)[-1].strip())
                self.assertIn(f.read(0), p2.stdout)
            for m, want in (('empty.eml', 'empty input'),
                            ('model-lacks.patch', 'no usable function')):
                p = subprocess.run([sys.executable, REVIEW, '--cache', d,
                                    os.path.join(MAILS, m)], capture_output=True, text=True)
                self.assertEqual(p.returncode, 2, m)
                self.assertIn(want, p.stderr)
                self.assertNotIn('Traceback', p.stderr)
            p = subprocess.run([sys.executable, REVIEW, '--cache', d, '-'], input='',
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn('<stdin>: empty input', p.stderr)
            p = subprocess.run([sys.executable, REVIEW, '--cache', d,
                                os.path.join(d, 'nothere.eml')], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn('No such file', p.stderr)
            p = subprocess.run([sys.executable, REVIEW, '--bug', 'XX', 'x'],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)

    @unittest.skipUnless(os.environ.get('LUSIM_EXE'), 'LUSIM_EXE not set')
    def test_cli_dispatch(self):
        """`lusim review` runs this tree's tools/review/lusim_review.py."""
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([os.environ['LUSIM_EXE'], 'review', '--cache', d, '--emit', '-',
                                os.path.join(MAILS, 'v1-pair-reply.eml')],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn('\tWARN_ON(-ENOENT);', p.stdout)
            self.assertIn('#line 82 "', p.stdout)
            p = subprocess.run([os.environ['LUSIM_EXE'], 'review', '--help'],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0)
            self.assertIn('--baseline', p.stdout)


if __name__ == '__main__':
    unittest.main(verbosity=2)
