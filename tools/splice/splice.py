#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Splice kernel overrides into copies of the kernel model's files.

  splice.py plan   [model options] OVERRIDE...
      stdout: one line per affected model file, "MODEL<TAB>OUTPUT-NAME"
      stderr: what is overridden (human-readable)
  splice.py splice [model options] --outdir DIR [--expect MODEL]... OVERRIDE...
      write the spliced copies into DIR (only files whose text changed)
  splice.py emit   [model options] --target MODEL OVERRIDE...
      print the spliced copy of one model file
  splice.py check  [model options] OVERRIDE...
      plan and render in memory; print the summary
  splice.py functions FILE...
      list the top-level function definitions of C files

Model options: --base DIR (model paths are relative to it, default: the
current directory), --model PATH (repeatable) or --model-list FILE, --root
DIR (repeatable; lusim-target paths are relative to a root), --source-root
DIR (default: the lusim checkout this tool is in), --line-base DIR (write
#line paths of files under the source root relative to DIR, as meson names
sources relative to the build directory).  Without --model: every .c file
under sim/ (but sim/hw, sim/ops) and kernel-shim/.

Errors are printed as FILE:LINE: error: message; exit status 2.
See docs/kernel-overrides.md.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lusim_splice as ls  # noqa: E402

SOURCE_ROOT = os.path.normpath(os.path.join(os.path.dirname(
    os.path.abspath(__file__)), '..', '..'))


def _model_args(p):
    p.add_argument('--base', default=None,
                   help='directory the --model paths are relative to')
    p.add_argument('--model', action='append', default=[],
                   help='a model source file (repeatable)')
    p.add_argument('--model-list', default=None,
                   help='file with one model path per line')
    p.add_argument('--root', action='append', default=[],
                   help='a directory lusim-target paths are relative to')
    p.add_argument('--source-root', default=SOURCE_ROOT)
    p.add_argument('--line-base', default=None,
                   help='write #line paths relative to this directory')
    p.add_argument('overrides', nargs='+', metavar='OVERRIDE')


def _index(args):
    sr = os.path.abspath(args.source_root)
    keys = list(args.model)
    if args.model_list:
        with open(args.model_list, encoding='utf-8') as f:
            keys += [ln.strip() for ln in f if ln.strip()]
    if keys:
        base = os.path.abspath(args.base or os.getcwd())
        roots = args.root or [base, sr]
        return ls.ModelIndex.from_keys(keys, base, roots)
    sim = os.path.join(sr, 'sim')
    shim = os.path.join(sr, 'kernel-shim')
    roots = args.root or [sim, shim, sr]
    return ls.ModelIndex.scan(
        [d for d in (sim, shim) if os.path.isdir(d)],
        exclude=[os.path.join(sim, 'hw'), os.path.join(sim, 'ops')],
        roots=roots)


def _plan(args):
    index = _index(args)
    overrides = []
    for p in args.overrides:
        try:
            overrides.append(ls.CFile.from_path(p))
        except OSError as e:
            raise ls.SpliceError([ls.Diagnostic(p, 0, 'cannot read: %s' %
                                                e.strerror)])
    plan = ls.make_plan(overrides, index)
    return index, plan


def _path_style(args):
    if args.line_base:
        return ls.default_path_style(args.line_base, args.source_root)
    return None


def _print_warnings(plan):
    for w in plan.warnings:
        print(w, file=sys.stderr)


def cmd_plan(args):
    _, plan = _plan(args)
    _print_warnings(plan)
    print('kernel overrides:\n' + plan.summary(), file=sys.stderr)
    for tp in plan.targets:
        print('%s\t%s' % (tp.model.key,
                          ls.output_name(tp.model, args.source_root)))
    return 0


def _render_all(args, plan, outdir):
    ps = _path_style(args)
    out = {}
    for tp in plan.targets:
        name = ls.output_name(tp.model, args.source_root)
        out[name] = ls.render_target(tp, outdir=outdir, path_style=ps)
    return out


def cmd_splice(args):
    _, plan = _plan(args)
    _print_warnings(plan)
    got = [tp.model.key for tp in plan.targets]
    if args.expect and sorted(args.expect) != sorted(got):
        print('error: the overrides now affect %s, but the build was '
              'configured for %s; re-run meson setup --reconfigure' %
              (', '.join(got) or 'nothing',
               ', '.join(args.expect)), file=sys.stderr)
        return 2
    outdir = os.path.abspath(args.outdir)
    os.makedirs(outdir, exist_ok=True)
    for name, text in _render_all(args, plan, outdir).items():
        path = os.path.join(outdir, name)
        try:
            with open(path, encoding='utf-8',
                      errors='surrogateescape') as f:
                if f.read() == text:
                    continue
        except OSError:
            pass
        tmp = path + '.tmp'
        with open(tmp, 'w', encoding='utf-8', errors='surrogateescape') as f:
            f.write(text)
        os.replace(tmp, path)
    return 0


def cmd_emit(args):
    _, plan = _plan(args)
    _print_warnings(plan)
    for tp in plan.targets:
        if args.target in tp.model.names or args.target == tp.model.key:
            sys.stdout.write(ls.render_target(
                tp, outdir=os.path.abspath(args.outdir or os.getcwd()),
                path_style=_path_style(args)))
            return 0
    print('error: the overrides do not affect %s (they affect: %s)' %
          (args.target, ', '.join(tp.model.key for tp in plan.targets)),
          file=sys.stderr)
    return 2


def cmd_check(args):
    _, plan = _plan(args)
    _print_warnings(plan)
    _render_all(args, plan, None)
    print(plan.summary())
    return 0


def cmd_functions(args):
    status = 0
    for p in args.files:
        cf = ls.CFile.from_path(p)
        for d in cf.diagnostics:
            print(d, file=sys.stderr)
            status = 2 if d.is_error else status
        for it in cf.functions:
            print('%s:%d-%d: %s%s' % (p, it.line, it.end_line, it.name,
                                      ' (static)' if it.is_static else ''))
    return status


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='splice.py', description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='See docs/kernel-overrides.md.')
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('plan', help='list the model files the overrides '
                       'affect')
    _model_args(p)
    p.set_defaults(fn=cmd_plan)
    p = sub.add_parser('splice', help='write the spliced copies')
    _model_args(p)
    p.add_argument('--outdir', required=True)
    p.add_argument('--expect', action='append', default=[],
                   help='a model file the build expects to be affected')
    p.set_defaults(fn=cmd_splice)
    p = sub.add_parser('emit', help='print one spliced copy')
    _model_args(p)
    p.add_argument('--target', required=True)
    p.add_argument('--outdir', default=None,
                   help='where the copy would live (for quoted includes)')
    p.set_defaults(fn=cmd_emit)
    p = sub.add_parser('check', help='plan and render, print the summary')
    _model_args(p)
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser('functions', help='list function definitions')
    p.add_argument('files', nargs='+')
    p.set_defaults(fn=cmd_functions)
    args = ap.parse_args(argv)
    try:
        return args.fn(args)
    except ls.SpliceError as e:
        for d in e.diagnostics:
            print(d, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
