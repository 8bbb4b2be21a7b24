#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Tests for tools/splice (python3 -m unittest, or meson test --suite tools).

The C compiler is $LUSIM_CC (meson passes the build's), else $CC, else cc.
"""

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import lusim_splice as ls  # noqa: E402
import splice  # noqa: E402

FIX = os.path.join(HERE, 'fixtures')
MODEL = os.path.join(FIX, 'model')
OVR = os.path.join(FIX, 'overrides')
FOO = os.path.join(MODEL, 'drivers/foo/foo.c')
BAR = os.path.join(MODEL, 'drivers/bar/bar.c')
CC = shlex.split(os.environ.get('LUSIM_CC') or os.environ.get('CC') or 'cc')

# the layers' flags (meson.build): kernel model, and override files
KERNEL_ARGS = ['-Wall', '-Werror', '-Wno-unused-parameter',
               '-fno-strict-aliasing']
OVERRIDE_ARGS = ['-Wall', '-Wno-unused-parameter', '-fno-strict-aliasing']


def read(path):
    with open(path) as f:
        return f.read()


def ovr(name):
    return os.path.join(OVR, name)


def index():
    return ls.ModelIndex.from_keys(['drivers/foo/foo.c', 'drivers/bar/bar.c'],
                                   MODEL, [MODEL])


def plan(*names, idx=None):
    return ls.make_plan([ls.CFile.from_path(ovr(n)) for n in names],
                        idx or index())


def target(p, key):
    for tp in p.targets:
        if tp.model.key == key:
            return tp
    raise AssertionError('%s not affected: %s' %
                         (key, [t.model.key for t in p.targets]))


def errors_of(*names):
    with unittest.TestCase().assertRaises(ls.SpliceError) as cm:
        plan(*names)
    return [str(d) for d in cm.exception.diagnostics]


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = splice.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


MODEL_ARGS = ['--base', MODEL, '--model', 'drivers/foo/foo.c',
              '--model', 'drivers/bar/bar.c', '--root', MODEL]


class Compiler:
    """Writes spliced copies to a temp dir and compiles them."""

    def __init__(self, tmp):
        self.tmp = tmp

    def write(self, tp, name=None):
        path = os.path.join(self.tmp, name or ls.output_name(tp.model, FIX))
        with open(path, 'w') as f:
            f.write(ls.render_target(tp, outdir=self.tmp))
        return path

    def cc(self, args, check=True):
        r = subprocess.run(CC + args, cwd=self.tmp, capture_output=True,
                           text=True)
        if check and r.returncode != 0:
            raise AssertionError('compile failed: %s\n%s' %
                                 (' '.join(args), r.stderr))
        return r

    def run_main(self, sources, main_c, defines=()):
        main = os.path.join(self.tmp, 'main.c')
        with open(main, 'w') as f:
            f.write(textwrap.dedent(main_c))
        exe = os.path.join(self.tmp, 'a.out')
        self.cc(OVERRIDE_ARGS + list(defines) + ['-o', exe, main] +
                list(sources))
        r = subprocess.run([exe], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError('test program failed: %s' % r.stderr)
        return r.stdout


# --------------------------------------------------------------------------


class ParserTest(unittest.TestCase):
    def funcs(self, src):
        cf = ls.parse_c(textwrap.dedent(src), 't.c')
        return cf, [(it.name, it.line, it.end_line, it.is_static)
                    for it in cf.functions]

    def test_model_fixture(self):
        cf = ls.CFile.from_path(FOO)
        self.assertEqual([d for d in cf.diagnostics if d.is_error], [])
        got = [(it.name, it.line, it.end_line, it.is_static)
               for it in cf.functions]
        self.assertEqual(got, [
            ('foo_helper', 29, 33, True),       # kernel-doc stays outside
            ('foo_static_op', 35, 45, True),    # attribute, 2-line params
            ('foo_public', 47, 51, False),
            ('foo_extra', 59, 62, False),       # both #ifdef branches
            ('foo_extra', 64, 67, False),
            ('common_name', 74, 77, True),      # foo_dead in #if 0: skipped
            ('foo_uses_common', 79, 84, False),
        ])

    def test_braces_in_strings_comments_chars_macros(self):
        cf, f = self.funcs('''\
            #define BLOCK { {
            static const char *s = "}}{";
            static char c = '}';
            /* } */
            // {
            int a(void)
            {
            	char x = '{'; /* { */
            	return s[0] + "{"[0] + x + c; // }
            }
            int b(void) { return 2; }
            ''')
        self.assertEqual(cf.diagnostics, [])
        self.assertEqual(f, [('a', 6, 10, False), ('b', 11, 11, False)])

    def test_signatures(self):
        cf, f = self.funcs('''\
            static int __init __must_check
            init_fn(void)
            {
            	return 0;
            }
            __printf(1, 2) int logit(const char *fmt, ...)
            {
            	return 0;
            }
            static __printf(1, 2) int logit2(const char *fmt, ...)
            {
            	return 0;
            }
            void (*signal2(int sig, void (*func)(int)))(int)
            {
            	return func;
            }
            static void locked(void) __acquires(&lk) __releases(&lk)
            {
            }
            struct foo *
            make_foo(int (*cb)(int), unsigned long flags)
            {
            	return 0;
            }
            ''')
        self.assertEqual([x[0] for x in f], ['init_fn', 'logit', 'logit2',
                                             'signal2', 'locked', 'make_foo'])
        self.assertEqual(f[0][1:3], (1, 5))

    def test_not_functions(self):
        cf, f = self.funcs('''\
            struct s { int a; int (*fn)(void); };
            static const struct s x = { .a = 1, .fn = (int (*)(void))0 };
            enum e { A, B };
            typedef struct { int q; } t;
            int arr[] = { 1, 2 };
            static DEFINE_MUTEX(lock);
            EXPORT_SYMBOL(x);
            ''')
        self.assertEqual(f, [])
        self.assertEqual(len([i for i in cf.items if i.kind == 'decl']), 7)

    def test_macro_defined_function_is_out_of_scope(self):
        cf, f = self.funcs('''\
            SYSCALL_DEFINE1(foo, int, x)
            {
            	return 0;
            }
            int after(void) { return 1; }
            ''')
        self.assertEqual(f, [('after', 5, 5, False)])
        self.assertIn('t.c:1: warning:', str(cf.diagnostics[0]))
        self.assertIn('functions defined through macros', str(
            cf.diagnostics[0]))

    def test_macro_without_semicolon_stays_outside(self):
        cf, f = self.funcs('''\
            LUSIM_INITCALL(x, 1)
            static int x(void)
            {
            	return 0;
            }
            ''')
        self.assertEqual(f, [('x', 2, 5, True)])

    def test_conditionals_in_body_and_if0(self):
        cf, f = self.funcs('''\
            int g(void)
            {
            #ifdef Y
            	if (1) {
            #else
            	if (2) {
            #endif
            	}
            	return 1;
            }
            #if 0
            int dead(void) { {
            #else
            int alive(void) { return 0; }
            #endif
            ''')
        self.assertEqual(cf.errors, [])
        self.assertEqual(f, [('g', 1, 10, False), ('alive', 14, 14, False)])
        self.assertEqual([lv.directives[-1].name for lv in
                          cf.functions[1].guards], ['else'])

    def test_kernel_flavoured_file(self):
        # constructs common in drivers/iommu: module_param without a body,
        # a multi-line macro call with string pieces, an inline stub in
        # an #else, guard()/xa_for_each in bodies, labels, exports with a
        # namespace, return types on their own line
        cf, f = self.funcs('''\
            static bool unsafe_knob;
            module_param(unsafe_knob, bool, 0644);
            MODULE_PARM_DESC(
            	unsafe_knob,
            	"first piece { of a string "
            	"second piece }");

            #ifdef CONFIG_SOMETHING
            static int setup_thing(struct thing *t,
            		       struct other *o)
            {
            	guard(mutex)(&t->lock);
            	xa_for_each(&t->xa, index, o) {
            		if (o->id)
            			return -EBUSY;
            	}
            	return 0;
            }
            #else
            static inline int
            setup_thing(struct thing *t, struct other *o)
            {
            	return 0;
            }
            #endif

            struct thing *
            thing_bind(struct ctx *ictx, struct device *dev, u32 *id)
            {
            	int rc;

            	rc = setup_thing(NULL, NULL);
            	if (rc)
            		goto out_put;
            	return NULL;
            out_put:
            	return ERR_PTR(rc);
            }
            EXPORT_SYMBOL_NS_GPL(thing_bind, "IOMMUFD");
            ''')
        self.assertEqual(cf.diagnostics, [])
        self.assertEqual(f, [('setup_thing', 9, 18, True),
                             ('setup_thing', 20, 24, True),
                             ('thing_bind', 27, 38, False)])
        self.assertEqual([lv.directives[-1].name for lv in
                          cf.functions[1].guards], ['else'])

    def test_parenthesized_name(self):
        cf, f = self.funcs('''\
            void (kfree)(const void *p)
            {
            }
            ''')
        self.assertEqual(f, [('kfree', 1, 3, False)])

    def test_unterminated_comment(self):
        cf = ls.parse_c('int a;\n/* open\n\nint b(void) { }\n', 'u.c')
        self.assertEqual([str(d) for d in cf.errors],
                         ['u.c:2: error: unterminated comment'])

    def test_unmatched_close_brace(self):
        cf = ls.parse_c('int a(void)\n{\n}\n}\n', 'u.c')
        self.assertEqual([str(d) for d in cf.errors],
                         ["u.c:4: error: unmatched '}'"])

    def test_never_closed(self):
        cf = ls.parse_c('int a(void)\n{\n\tif (x) {\n\t}\n', 'u.c')
        self.assertEqual([str(d) for d in cf.errors],
                         ["u.c:2: error: unbalanced braces: the '{' of the "
                          "body of 'a' is never closed"])

    def test_conditional_errors(self):
        cf = ls.parse_c('#endif\n#ifdef X\nint a;\n', 'u.c')
        self.assertEqual([str(d) for d in cf.errors],
                         ['u.c:1: error: #endif without #if',
                          'u.c:2: error: unterminated #ifdef'])

    def test_lusim_target(self):
        cf = ls.parse_c('// SPDX-License-Identifier: GPL-2.0-only\n'
                        '/* lusim-target: drivers/x/y.c */\nint a(void) {}\n',
                        'o.c')
        self.assertEqual((cf.target, cf.target_line), ('drivers/x/y.c', 2))
        cf = ls.parse_c('int a(void) {}\n/* lusim-target: x.c */\n', 'o.c')
        self.assertEqual([str(d) for d in cf.errors],
                         ['o.c:2: error: lusim-target must be in a comment '
                          'before the first line of code'])


class ClangCrossCheckTest(unittest.TestCase):
    """The function list and extents agree with clang's AST on the
    fixtures and on the kernel model's own files (files clang cannot
    compile alone are skipped: the check is about the parser)."""

    CLANG_ARGS = ['-fsyntax-only', '-Xclang', '-ast-dump=json', '-std=gnu11',
                  '-D_GNU_SOURCE', '-DKBUILD_MODNAME="x"']

    def clang_functions(self, path, extra):
        r = subprocess.run(['clang'] + self.CLANG_ARGS + extra + [path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        ast = json.loads(r.stdout)
        state = {'file': None, 'line': None}

        def track(loc):
            loc = loc.get('expansionLoc', loc)
            if 'file' in loc:
                state['file'] = loc['file']
            if 'line' in loc:
                state['line'] = loc['line']
            return state['line']

        got = set()
        for d in ast.get('inner', []):
            track(d.get('loc', {}))
            begin = track(d.get('range', {}).get('begin', {}))
            in_file = state['file'] == path
            end = track(d.get('range', {}).get('end', {}))
            if (d.get('kind') == 'FunctionDecl' and in_file and
                    any(c.get('kind') == 'CompoundStmt'
                        for c in d.get('inner', ()))):
                got.add((d['name'], begin, end))
        return got

    def check_tree(self, paths, extra):
        checked = 0
        for p in paths:
            want = self.clang_functions(p, extra)
            if want is None:
                continue
            cf = ls.CFile.from_path(p)
            got = set((it.name, it.line, it.end_line) for it in cf.functions)
            # functions in an #if branch clang did not compile aside
            inactive = set((it.name, it.line, it.end_line)
                           for it in cf.functions if it.guards)
            self.assertEqual(got - want - inactive, set(), p)
            # clang also sees functions generated by macros
            missing = set(n for n, _, _ in want - got)
            for n in missing:
                self.assertFalse(
                    re.search(r'\b%s\s*\(' % re.escape(n), cf.text) and
                    not n.startswith('__lusim_'), (p, n))
            checked += len(got)
        return checked

    @unittest.skipUnless(shutil.which('clang'), 'clang not installed')
    def test_fixtures(self):
        n = self.check_tree([FOO, BAR], ['-I', os.path.dirname(FOO)])
        self.assertEqual(n, 11)

    @unittest.skipUnless(shutil.which('clang'), 'clang not installed')
    def test_model_tree(self):
        root = os.path.normpath(os.path.join(HERE, '..', '..'))
        paths = []
        for sub in ('sim/drivers', 'sim/mm', 'kernel-shim'):
            for dp, _, fns in os.walk(os.path.join(root, sub)):
                paths += [os.path.join(dp, f) for f in sorted(fns)
                          if f.endswith('.c')]
        inc = ['-I' + os.path.join(root, d) for d in
               ('kernel-shim/include', 'sim/include', 'sim')]
        kconfig = ['-DCONFIG_IOMMU_API=1', '-DCONFIG_IOMMUFD=1',
                   '-DCONFIG_PCI_PASID=1', '-DCONFIG_PCI_ATS=1',
                   '-DCONFIG_LIVEUPDATE=1', '-DCONFIG_KEXEC_HANDOVER=1',
                   '-DCONFIG_IOMMU_LIVEUPDATE=1', '-DCONFIG_INTEL_IOMMU=1',
                   '-DLUSIM_SERIES_V1=1']
        n = self.check_tree(sorted(paths), inc + kconfig)
        print('\n  clang cross-check: %d model/shim functions agree' % n,
              file=sys.stderr)


class PlanTest(unittest.TestCase):
    def test_static_override(self):
        p = plan('o_static.c')
        tp = target(p, 'drivers/foo/foo.c')
        self.assertEqual(list(tp.replace), ['foo_static_op'])
        self.assertEqual([u.item.directive.header for u in tp.includes],
                         ['<limits.h>'])       # <stddef.h>: foo.c has it
        self.assertIn('replaced static foo_static_op()', p.summary())

    def test_new_function_with_target(self):
        p = plan('o_new.c')
        tp = target(p, 'drivers/foo/foo.c')
        self.assertEqual(list(tp.replace), ['foo_public'])
        self.assertEqual([u.item.name for u in tp.new], ['foo_new_helper'])
        # the #define travels; the EXPORT_SYMBOL_GPL foo.c has is dropped
        self.assertEqual([u.item.line for u in tp.decls], [5])
        self.assertEqual([u.item.line for u, _ in tp.dropped], [12])

    def test_split_per_target(self):
        p = plan('o_split.c')
        self.assertEqual([t.model.key for t in p.targets],
                         ['drivers/bar/bar.c', 'drivers/foo/foo.c'])
        self.assertEqual(list(target(p, 'drivers/bar/bar.c').replace),
                         ['bar_only'])
        self.assertEqual(list(target(p, 'drivers/foo/foo.c').replace),
                         ['foo_uses_common'])

    def test_ambiguous(self):
        self.assertEqual(errors_of('o_ambiguous.c'), [
            "%s:4: error: 'common_name' is ambiguous: it is defined in "
            "drivers/foo/foo.c:74, drivers/bar/bar.c:5; name the file with "
            "/* lusim-target: <kernel path> */ as the first line"
            % ovr('o_ambiguous.c')])

    def test_ambiguous_resolved_by_target(self):
        with tempfile.TemporaryDirectory() as tmp:
            o = os.path.join(tmp, 'o.c')
            with open(o, 'w') as f:
                f.write('/* lusim-target: drivers/bar/bar.c */\n'
                        'static int common_name(int x)\n{\n\treturn 7;\n}\n')
            p = ls.make_plan([ls.CFile.from_path(o)], index())
            self.assertEqual([t.model.key for t in p.targets],
                             ['drivers/bar/bar.c'])

    def test_unbalanced_brace_location(self):
        self.assertEqual(errors_of('o_unbalanced.c'), [
            "%s:8: error: unbalanced braces: this '}' in column 0 should end "
            "the body of 'bar_only' (opened at line 3) but closes the '{' "
            "opened at line 4; a '}' is missing before it"
            % ovr('o_unbalanced.c')])

    def test_unknown_function(self):
        self.assertEqual(errors_of('o_unknown.c'), [
            "%s:4: error: no model file defines 'nobody_defines_this'; to add "
            "it as a new function, start the file with /* lusim-target: "
            "<kernel path of the file> */" % ovr('o_unknown.c')])

    def test_no_functions(self):
        self.assertEqual(errors_of('o_empty.c'), [
            '%s:1: error: no function definitions found' % ovr('o_empty.c')])

    def test_bad_target(self):
        errs = errors_of('o_bad_target.c')
        self.assertEqual(len(errs), 1)
        self.assertTrue(errs[0].startswith(
            "%s:2: error: lusim-target 'drivers/foo/fooo.c' names no model "
            "file; did you mean drivers/foo/foo.c" % ovr('o_bad_target.c')),
            errs[0])

    def test_same_function_in_two_overrides(self):
        errs = errors_of('o_split.c', 'o_syntax.c')
        self.assertEqual(errs, [
            "%s:3: error: 'bar_only' is also defined by the override %s:3" %
            (ovr('o_syntax.c'), ovr('o_split.c'))])

    def test_lenient_plan_lists_rejected_functions(self):
        # lusim review: place what can be placed, list the rest with why
        p = ls.make_plan([ls.CFile.from_path(ovr(n)) for n in
                          ('o_static.c', 'o_unknown.c', 'o_ambiguous.c')],
                         index(), strict=False)
        self.assertEqual([t.model.key for t in p.targets],
                         ['drivers/foo/foo.c'])
        self.assertEqual([(os.path.basename(d.file), d.line)
                          for d in p.rejected],
                         [('o_ambiguous.c', 4), ('o_unknown.c', 4)])
        self.assertIn('not used: %s:4: no model file defines' %
                      ovr('o_unknown.c'), p.summary())
        with self.assertRaises(ls.SpliceError):
            ls.make_plan([ls.CFile.from_path(ovr('o_unknown.c'))], index(),
                         strict=False)

    def test_several_errors_reported_together(self):
        errs = errors_of('o_unknown.c', 'o_empty.c')
        self.assertEqual(len(errs), 2)


class RenderTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.c = Compiler(self.tmp)

    def tearDown(self):
        self._tmp.cleanup()

    MAIN_FOO = '''\
        #include <stdio.h>
        struct foo_dev { int id; int users; };
        int foo_public(struct foo_dev *dev, int arg);
        int foo_extra(struct foo_dev *dev);
        int main(void)
        {
        	struct foo_dev d = { .id = 1, .users = 0 };
        	printf("%d %d\\n", foo_public(&d, 2), foo_extra(&d));
        	return 0;
        }
        '''

    def test_original_behaviour(self):
        # the baseline the override tests compare against
        out = self.c.run_main([FOO], self.MAIN_FOO)
        # foo_public: foo_static_op = (1 + 0x40) + 2 + 1 = 68
        self.assertEqual(out, '68 0\n')

    def test_static_override_calls_static_helper(self):
        tp = target(plan('o_static.c'), 'drivers/foo/foo.c')
        src = self.c.write(tp)
        out = self.c.run_main([src], self.MAIN_FOO)
        # override: foo_helper(dev) * 100 + arg + 1 = 65 * 100 + 2 + 1
        self.assertEqual(out, '6503 0\n')

    def test_new_function_and_prototype(self):
        tp = target(plan('o_new.c'), 'drivers/foo/foo.c')
        src = self.c.write(tp)
        text = read(src)
        self.assertIn('static int foo_new_helper(struct foo_dev *dev);',
                      text)
        self.assertEqual(text.count('EXPORT_SYMBOL_GPL(foo_public);'), 1)
        out = self.c.run_main([src], self.MAIN_FOO)
        # foo_public = foo_new_helper(dev) + arg = (65 + 7) + 2
        self.assertEqual(out, '74 0\n')

    def test_overrides_combined(self):
        idx = index()
        tp = target(plan('o_new.c', 'o_static.c', 'o_guarded.c', idx=idx),
                    'drivers/foo/foo.c')
        src = self.c.write(tp)
        self.assertEqual(self.c.run_main([src], self.MAIN_FOO), '74 1000\n')
        self.assertEqual(self.c.run_main([src], self.MAIN_FOO,
                                         ['-DCONFIG_FOO_EXTRA']),
                         '74 2065\n')

    def test_guarded_override_both_configurations(self):
        tp = target(plan('o_guarded.c'), 'drivers/foo/foo.c')
        src = self.c.write(tp)
        self.assertEqual(self.c.run_main([src], self.MAIN_FOO), '68 1000\n')
        self.assertEqual(self.c.run_main([src], self.MAIN_FOO,
                                         ['-DCONFIG_FOO_EXTRA']),
                         '68 2065\n')

    def test_includes_inserted_once_and_quoted_rewritten(self):
        tp = target(plan('o_static.c', 'o_new.c'), 'drivers/foo/foo.c')
        src = self.c.write(tp)
        text = read(src)
        self.assertEqual(text.count('#include <limits.h>'), 1)
        self.assertEqual(text.count('#include <stddef.h>'), 1)
        self.assertNotIn('#include "foo_private.h"', text)
        # compiles from the temp dir without -I: the quoted include was
        # rewritten to reach drivers/foo/foo_private.h
        self.c.cc(OVERRIDE_ARGS + ['-fsyntax-only', src])

    def test_line_directives_point_at_override(self):
        tp = target(plan('o_syntax.c'), 'drivers/bar/bar.c')
        src = self.c.write(tp)
        r = self.c.cc(KERNEL_ARGS + ['-fsyntax-only', src], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('%s:6:' % ovr('o_syntax.c'), r.stderr)
        self.assertIn('undeclared_thing', r.stderr)
        self.assertNotIn(os.path.basename(src), r.stderr)

    def test_line_directives_back_to_original(self):
        # foo.c line 81 has an unused variable, after the replaced
        # foo_static_op (lines 35-45, 11 lines replaced by 4)
        tp = target(plan('o_static.c'), 'drivers/foo/foo.c')
        src = self.c.write(tp)
        r = self.c.cc(OVERRIDE_ARGS + ['-fsyntax-only', src])
        self.assertIn('%s:81:' % FOO, r.stderr)
        self.assertIn('unused_in_model', r.stderr)
        self.assertNotIn(os.path.basename(src), r.stderr)

    def test_unused_parameters_build_with_override_flags(self):
        tp = target(plan('o_unused.c'), 'drivers/bar/bar.c')
        src = self.c.write(tp)
        obj = os.path.join(self.tmp, 'bar.o')
        # override flags: builds, the warning is shown at the override line
        r = self.c.cc(OVERRIDE_ARGS + ['-c', '-o', obj, src])
        self.assertIn('%s:7:' % ovr('o_unused.c'), r.stderr)
        self.assertIn('unused_local', r.stderr)
        self.assertNotIn("'b'", r.stderr)       # unused parameters: silent
        # the kernel model's flags (-Werror) would refuse the same code
        r = self.c.cc(KERNEL_ARGS + ['-c', '-o', obj, src], check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_path_style_relative_to_build_dir(self):
        tp = target(plan('o_static.c'), 'drivers/foo/foo.c')
        build = os.path.join(FIX, 'build-x')    # never created
        text = ls.render_target(tp, outdir=self.tmp,
                                path_style=ls.default_path_style(build, FIX))
        self.assertIn('#line 1 "../model/drivers/foo/foo.c"', text)
        self.assertIn('#line 7 "../overrides/o_static.c"', text)

    def test_line_map_for_review(self):
        # `lusim review` builds the override from a mail: each line of the
        # override maps back to a line of the mail
        src = ('/* lusim-target: drivers/bar/bar.c */\n'   # 1
               'int bar_only(int x)\n'                     # 2
               '{\n'                                       # 3
               '\t/* a comment\n'                          # 4
               '\t   over lines */\n'                      # 5
               '\treturn nope + x;\n'                      # 6
               '}\n')                                      # 7
        mail_line = {1: 1, 2: 40, 3: 41, 4: 45, 5: 50, 6: 51, 7: 52}
        cf = ls.parse_c(src, os.path.join(self.tmp, 'o.c'),
                        line_map=lambda ln: ('patch.eml', mail_line[ln]))
        p = ls.make_plan([cf], index())
        src_path = self.c.write(p.targets[0], 'bar_spliced.c')
        text = read(src_path)
        # no #line inside the comment (line 5 continues it)
        self.assertNotIn('#line 50', text)
        r = self.c.cc(OVERRIDE_ARGS + ['-fsyntax-only', src_path],
                      check=False)
        self.assertIn('patch.eml:51:', r.stderr)

    def test_line_map_diagnostics(self):
        cf = ls.parse_c('int f(void)\n{\n\tif (x) {\n', 'o.c',
                        line_map=lambda ln: ('m.eml', ln + 100))
        self.assertEqual([str(d) for d in cf.errors],
                         ["m.eml:102: error: unbalanced braces: the '{' of "
                          "the body of 'f' is never closed"])


class CliTest(unittest.TestCase):
    def test_plan_output(self):
        rc, out, err = cli('plan', *MODEL_ARGS, '--source-root', FIX,
                           ovr('o_split.c'))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, 'drivers/bar/bar.c\t'
                         'spliced__model__drivers__bar__bar.c\n'
                         'drivers/foo/foo.c\t'
                         'spliced__model__drivers__foo__foo.c\n')
        self.assertIn('replaced bar_only()', err)

    def test_error_exit_status_and_format(self):
        rc, out, err = cli('plan', *MODEL_ARGS, ovr('o_unbalanced.c'))
        self.assertEqual(rc, 2)
        self.assertEqual(out, '')
        self.assertTrue(err.startswith('%s:8: error: unbalanced braces' %
                                       ovr('o_unbalanced.c')), err)

    def test_subprocess_exit_status(self):
        r = subprocess.run([sys.executable, os.path.join(HERE, 'splice.py'),
                            'check'] + MODEL_ARGS + [ovr('o_ambiguous.c')],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("o_ambiguous.c:4: error: 'common_name' is ambiguous",
                      r.stderr)

    def test_missing_override_file(self):
        rc, out, err = cli('plan', *MODEL_ARGS, ovr('nope.c'))
        self.assertEqual(rc, 2)
        self.assertIn('nope.c:0: error: cannot read', err)

    def test_splice_writes_and_keeps_unchanged(self):
        with tempfile.TemporaryDirectory() as tmp:
            args = ['splice', *MODEL_ARGS, '--source-root', FIX,
                    '--outdir', tmp, '--expect', 'drivers/foo/foo.c',
                    ovr('o_static.c')]
            rc, _, err = cli(*args)
            self.assertEqual(rc, 0, err)
            out = os.path.join(tmp, 'spliced__model__drivers__foo__foo.c')
            os.utime(out, (1, 1))
            rc, _, err = cli(*args)
            self.assertEqual(rc, 0, err)
            self.assertEqual(os.stat(out).st_mtime, 1)   # not rewritten

    def test_splice_expect_mismatch(self):
        with tempfile.TemporaryDirectory() as tmp:
            rc, _, err = cli('splice', *MODEL_ARGS, '--outdir', tmp,
                             '--expect', 'drivers/bar/bar.c',
                             ovr('o_static.c'))
            self.assertEqual(rc, 2)
            self.assertIn('re-run meson setup --reconfigure', err)
            self.assertEqual(os.listdir(tmp), [])

    def test_functions(self):
        rc, out, _ = cli('functions', BAR)
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines(), [
            '%s:5-8: common_name (static)' % BAR,
            '%s:10-13: bar_public' % BAR,
            '%s:15-18: bar_only' % BAR,
            '%s:20-23: bar_three' % BAR])

    def test_emit(self):
        rc, out, err = cli('emit', *MODEL_ARGS, '--target', 'drivers/bar/bar.c',
                           ovr('o_unused.c'))
        self.assertEqual(rc, 0, err)
        self.assertIn('#line 4 "%s"' % ovr('o_unused.c'), out)


if __name__ == '__main__':
    unittest.main(verbosity=2)
