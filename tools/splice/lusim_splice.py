# SPDX-License-Identifier: GPL-2.0-only
"""Splice kernel overrides into the kernel model's source files.

A reviewer writes C function definitions (typically pasted from a patch
mail) into an *override file*.  For every function it defines, this module
finds the model file that defines a function of that name, and produces a
spliced copy of that model file: the original text with each definition of
the name replaced by the override's text.  ``#line`` directives make the
compiler's diagnostics (and ``__FILE__``/``__LINE__``, debug info and
coverage) point at the override file for the pasted code and at the original
file for everything else.  Because the copy is compiled in place of the
original, a ``static`` function can be overridden and the pasted code can
call the file's static helpers.

Public API (used by tools/splice/splice.py, meson and ``lusim review``):

    parse_c(text, path, line_map=None) -> CFile
        Tokenize and split a C file into top-level items (function
        definitions, #include lines, other declarations).  Never raises:
        problems are in CFile.diagnostics.
    CFile.from_path(path)
    ModelIndex(files, roots) / ModelIndex.scan(...)
        The model files, their function definitions, and the names a
        lusim-target line may use for them.
    make_plan(overrides, index, strict=True) -> Plan
        Map each override function to a model file.  Raises SpliceError
        (a list of Diagnostic, "FILE:LINE: error: message") on any error;
        with strict=False, functions that cannot be placed are listed in
        Plan.rejected instead.
    render_target(target_plan, outdir=None, path_style=None) -> str
        The spliced copy of one model file.
    Plan.summary() -> str, Plan.targets, output_name(model, source_root)

Out of scope: functions defined through macros (SYSCALL_DEFINEn(...) { }),
K&R definitions, conditional directives inside a function's signature.
"""

import bisect
import difflib
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

__all__ = [
    'Diagnostic', 'SpliceError', 'Token', 'Directive', 'Item', 'CFile',
    'parse_c', 'ModelFile', 'ModelIndex', 'Unit', 'TargetPlan', 'Plan',
    'make_plan', 'render_target', 'output_name', 'default_path_style',
]

# --------------------------------------------------------------------------
# Diagnostics


@dataclass
class Diagnostic:
    file: str
    line: int
    message: str
    severity: str = 'error'     # 'error', 'warning' or 'note'

    def __str__(self):
        return '%s:%d: %s: %s' % (self.file, self.line, self.severity,
                                  self.message)

    @property
    def is_error(self):
        return self.severity == 'error'


class SpliceError(Exception):
    """One or more errors, each a Diagnostic in the file that has it."""

    def __init__(self, diagnostics):
        self.diagnostics = list(diagnostics)
        super().__init__('\n'.join(str(d) for d in self.diagnostics))


# --------------------------------------------------------------------------
# Tokenizer

_TOKEN_RE = re.compile(r"""
  (?P<ws>[ \t\f\v\r]+|\\\r?\n)
| (?P<nl>\n)
| (?P<lc>//(?:\\\r?\n|[^\n])*)
| (?P<bc>/\*.*?\*/)
| (?P<str>(?:u8|[uUL])?"(?:[^"\\\n]|\\(?:\r?\n|.))*")
| (?P<chr>(?:u8|[uUL])?'(?:[^'\\\n]|\\(?:\r?\n|.))*')
| (?P<id>[A-Za-z_$][A-Za-z0-9_$]*)
| (?P<num>\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*)
| (?P<bad_bc>/\*)
| (?P<op>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|&&|\|\||[-+*/%&|^!=<>]=|\#\#
        |[][{}();,.?:~!%^&|*+\-/<>=\#@`\\])
| (?P<bad_str>(?:u8|[uUL])?")
| (?P<bad_chr>(?:u8|[uUL])?')
| (?P<other>.)
""", re.X | re.S)

# The body of a preprocessor directive: up to the first newline that is not
# escaped and not inside a comment or a string.  Tolerant of unterminated
# quotes (#error don't ...).
_PP_RE = re.compile(r"""
  (?P<splice>\\\r?\n)
| (?P<bc>/\*.*?\*/)
| (?P<lc>//(?:\\\r?\n|[^\n])*)
| (?P<str>"(?:[^"\\\n]|\\(?:\r?\n|.))*")
| (?P<chr>'(?:[^'\\\n]|\\(?:\r?\n|.))*')
| (?P<nl>\n)
| (?P<other>[^\n\\/"']+|.)
""", re.X | re.S)

_PP_NAME_RE = re.compile(r'#(?:[ \t]|/\*.*?\*/)*([A-Za-z_]\w*)?', re.S)
_INCLUDE_RE = re.compile(r'\s*(<[^>\n]*>|"[^"\n]*")')
_TARGET_RE = re.compile(r'lusim-target:\s*([^\s*]+)')


@dataclass
class Token:
    kind: str       # id num str chr op other pp
    text: str
    start: int
    end: int
    line: int
    col: int        # 0-based column of start
    directive: Optional['Directive'] = None


@dataclass
class Directive:
    name: str       # 'include', 'if', 'ifdef', 'define', ... ('' for '#')
    text: str       # the whole directive, continuation lines included
    start: int
    end: int        # offset of the terminating newline (or EOF)
    line: int
    end_line: int
    header: Optional[str] = None    # for #include: '<x.h>' or '"x.h"'
    cond: Optional[str] = None      # for #if/#elif: the expression text


@dataclass
class Comment:
    text: str
    start: int
    end: int
    line: int
    end_line: int


# --------------------------------------------------------------------------
# Parsed file


@dataclass
class CondLevel:
    """One level of top-level #if nesting around an item: the directives
    from the opening #if to the one that starts the item's branch."""
    directives: List[Directive]
    is_guard: bool = True


@dataclass
class Item:
    kind: str       # 'function', 'include', 'decl' (declaration, directive
                    # or a block that is not a plain function definition)
    start: int      # offset of the first token
    end: int        # offset just past the last character
    line: int
    end_line: int
    guards: Tuple[CondLevel, ...] = ()
    name: Optional[str] = None      # function name
    name_line: int = 0
    brace: int = 0                  # function: offset of the body's '{'
    is_static: bool = False
    directive: Optional[Directive] = None   # include / directive items
    macro_block: bool = False       # a top-level block from a macro


class CFile:
    """A parsed C source file.

    path        the file's path (used to read it and resolve includes)
    display     the name used in diagnostics and #line (default: path)
    line_map    optional callable line -> (file, line): where each line of
                this text really comes from (``lusim review`` maps an
                override built from a mail back to the mail's lines)
    """

    def __init__(self, path, text, display=None, line_map=None):
        self.path = path
        self.text = text
        self.display = display if display is not None else path
        self.line_map = line_map
        self._nl = [i for i, c in enumerate(text) if c == '\n']
        self.tokens: List[Token] = []
        self.comments: List[Comment] = []
        self.unsafe_lines = set()   # lines inside a multi-line token
        self.items: List[Item] = []
        self.diagnostics: List[Diagnostic] = []
        self.target: Optional[str] = None
        self.target_line = 0

    @classmethod
    def from_path(cls, path, display=None, line_map=None):
        with open(path, encoding='utf-8', errors='surrogateescape') as f:
            text = f.read()
        if text.startswith('\ufeff'):
            text = ' ' + text[1:]       # a BOM: keep offsets and columns
        return parse_c(text, path, display=display, line_map=line_map)

    # -- positions
    def line_of(self, offset):
        return bisect.bisect_left(self._nl, offset) + 1

    def line_start(self, offset):
        i = bisect.bisect_left(self._nl, offset)
        return self._nl[i - 1] + 1 if i > 0 else 0

    def loc(self, line):
        """(file, line) a line of this text is reported at."""
        if self.line_map is not None:
            return self.line_map(line)
        return (self.display, line)

    def diag(self, line, message, severity='error'):
        f, ln = self.loc(line)
        self.diagnostics.append(Diagnostic(f, ln, message, severity))

    @property
    def errors(self):
        return [d for d in self.diagnostics if d.is_error]

    @property
    def functions(self):
        return [it for it in self.items if it.kind == 'function']

    @property
    def includes(self):
        return [it for it in self.items if it.kind == 'include']

    def item_text(self, item):
        return self.text[item.start:item.end]


def _tokenize(cf):
    text = cf.text
    pos = 0
    n = len(text)
    line = 1
    line_start = 0
    at_bol = True
    tokens = cf.tokens

    def multi_line(start_line, end_line):
        for ln in range(start_line + 1, end_line + 1):
            cf.unsafe_lines.add(ln)

    while pos < n:
        m = _TOKEN_RE.match(text, pos)
        kind = m.lastgroup
        s, e = m.start(), m.end()
        tok_text = m.group()
        nls = tok_text.count('\n')
        if kind == 'ws':
            pass
        elif kind == 'nl':
            at_bol = True
        elif kind in ('lc', 'bc'):
            cf.comments.append(Comment(tok_text, s, e, line, line + nls))
            if nls:
                multi_line(line, line + nls)
        elif kind == 'bad_bc':
            cf.diag(line, 'unterminated comment')
            return
        elif kind in ('bad_str', 'bad_chr'):
            what = 'string' if kind == 'bad_str' else 'character'
            cf.diag(line, 'missing terminating %s character' %
                    ('"' if kind == 'bad_str' else "'") +
                    ' (unterminated %s literal)' % what)
            # resynchronise at the end of the line
            e = text.find('\n', s)
            e = n if e < 0 else e
            tok_text = text[s:e]
            nls = 0
        elif kind == 'op' and tok_text == '#' and at_bol:
            # preprocessor directive: read the logical line
            p = e
            while p < n:
                pm = _PP_RE.match(text, p)
                if pm.lastgroup == 'nl':
                    break
                p = pm.end()
            d_text = text[s:p]
            d_nls = d_text.count('\n')
            nm = _PP_NAME_RE.match(d_text)
            name = nm.group(1) or '' if nm else ''
            d = Directive(name, d_text, s, p, line, line + d_nls)
            rest = d_text[nm.end():] if nm else ''
            if name in ('include', 'include_next'):
                hm = _INCLUDE_RE.match(rest)
                if hm:
                    d.header = hm.group(1)
            elif name in ('if', 'elif'):
                d.cond = _strip_comments(rest).replace('\\\n', ' ').strip()
            col = s - line_start
            tokens.append(Token('pp', d_text, s, p, line, col, d))
            if d_nls:
                multi_line(line, line + d_nls)
                line += d_nls
                line_start = text.rfind('\n', 0, p) + 1
            pos = p
            at_bol = False
            continue
        else:
            if kind in ('str', 'chr') and nls:
                multi_line(line, line + nls)
            tokens.append(Token(kind, tok_text, s, e, line, s - line_start))
            at_bol = False
        if nls:
            line += nls
            line_start = text.rfind('\n', 0, e) + 1
        pos = e


def _strip_comments(s):
    return re.sub(r'/\*.*?\*/|//[^\n]*', ' ', s, flags=re.S)


# --------------------------------------------------------------------------
# Top-level structure

# Identifiers that take a parenthesized argument list in a declaration but
# are attributes (or type operators), never the declared function's name.
ATTR_NAMES = frozenset('''
    __attribute__ __attribute __declspec _Alignas alignas __aligned
    __printf __scanf __section __acquires __releases __must_hold
    __cond_acquires __cond_releases __alloc_size __realloc_size __malloc
    __nonnull __assume_aligned __diag_ignore __no_sanitize __counted_by
    __context__ __free __cleanup __guarded_by __pt_guarded_by
    __diagnose_as __access __format__ __visibility __weakref __alias
    __no_sanitize_or_inline __pass_object_size __designated_init
    typeof __typeof__ __typeof typeof_unqual __typeof_unqual__
    asm __asm__ __asm _Static_assert static_assert
'''.split())

# Storage classes and qualifiers: not a type, so an identifier right after
# only these cannot be a function name (e.g. "static __printf(1, 2) ...").
_NOT_TYPES = frozenset('''
    static extern inline __inline __inline__ const volatile register auto
    _Noreturn restrict __restrict __restrict__ _Thread_local __thread
    __extension__ typedef
'''.split())

_TYPE_KEYWORDS = frozenset(('struct', 'union', 'enum'))

_COND_OPEN = ('if', 'ifdef', 'ifndef')
_COND_MID = ('elif', 'elifdef', 'elifndef', 'else')


@dataclass
class _Elem:
    kind: str       # 'tok' or 'group'
    first: int      # token index
    last: int       # token index (inclusive)
    open: str = ''  # '(' or '[' for groups


def _elements(tokens, idxs):
    """Group the statement tokens (indices) at paren depth 0."""
    out = []
    depth = 0
    gstart = None
    for i in idxs:
        t = tokens[i]
        if t.kind == 'op' and t.text in ('(', '['):
            if depth == 0:
                gstart = i
            depth += 1
        elif t.kind == 'op' and t.text in (')', ']'):
            depth -= 1
            if depth == 0 and gstart is not None:
                out.append(_Elem('group', gstart, i, tokens[gstart].text))
                gstart = None
        elif depth == 0:
            out.append(_Elem('tok', i, i))
    return out


def _is_name_cand(tokens, elems, k):
    e = elems[k]
    if e.kind != 'tok' or tokens[e.first].kind != 'id':
        return False
    if k + 1 >= len(elems):
        return False
    nxt = elems[k + 1]
    if nxt.kind != 'group' or nxt.open != '(':
        return False
    return tokens[e.first].text not in ATTR_NAMES


def _find_function_name(tokens, elems):
    """Return (name elem index or token index, kind) for a definition whose
    statement elements are elems (everything before the body's '{'), or
    None when it is not a plain function definition."""
    for k in range(len(elems)):
        if not _is_name_cand(tokens, elems, k):
            continue
        # a return type (or something that may be one) must precede it
        has_type = False
        for j in range(k):
            ej = elems[j]
            if ej.kind != 'tok':
                continue
            t = tokens[ej.first]
            if (t.kind == 'id' and t.text not in _NOT_TYPES
                    and t.text not in ATTR_NAMES) or t.text == '*':
                has_type = True
                break
        if has_type:
            return tokens[elems[k].first]
    # void (name)(params): a parenthesized name (keeps a function-like
    # macro of the same name from expanding)
    for k, e in enumerate(elems):
        if (e.kind == 'group' and e.open == '(' and k > 0
                and e.last == e.first + 2
                and tokens[e.first + 1].kind == 'id'
                and k + 1 < len(elems) and elems[k + 1].kind == 'group'
                and elems[k + 1].open == '('):
            return tokens[e.first + 1]
    # int (*name(params))(params): the name is inside the first group that
    # starts with '*'
    for k, e in enumerate(elems):
        if (e.kind == 'group' and e.open == '(' and k > 0
                and tokens[e.first + 1].text == '*'):
            inner = list(range(e.first + 2, e.last))
            sub = _elements(tokens, inner)
            for j in range(len(sub)):
                if _is_name_cand(tokens, sub, j):
                    return tokens[sub[j].first]
    return None


class _Parser:
    def __init__(self, cf):
        self.cf = cf
        self.toks = cf.tokens
        self.stmt: List[int] = []       # token indices of the statement
        self.paren = 0
        self.blocks = []                # stack of (kind, tok index, info)
        self.cond: List[dict] = []      # #if stack
        self.skipping = 0               # nesting inside an inactive branch
        self.col0_suspect = None        # (close tok, opened tok) heuristic

    # -- conditionals
    def _guards(self):
        return tuple(lv['level'] for lv in self.cond
                     if 'level' in lv and lv['level'].is_guard)

    def _handle_cond(self, tok):
        d = tok.directive
        name = d.name
        depth = len(self.blocks)
        if name in _COND_OPEN:
            if self.skipping:
                self.cond.append({'skip_parent': True})
                self.skipping += 1
                return
            const = _const_cond(d)
            lv = {
                'skip_parent': False,
                'level': CondLevel([d], is_guard=(depth == 0 and
                                                  not self.stmt)),
                'blocks': list(self.blocks),    # block stack at #if
                'truth': None,          # block stack after the 1st branch
                'taken': const is True,  # a constant-true branch was seen
                'skip': const is False,
            }
            if lv['skip']:
                self.skipping = 1
            self.cond.append(lv)
            return
        if not self.cond:
            self.cf.diag(tok.line, '#%s without #if' % name)
            return
        lv = self.cond[-1]
        if lv.get('skip_parent'):
            if name == 'endif':
                self.cond.pop()
                self.skipping -= 1
            return
        # end of a branch of this level: the first active branch decides
        # the brace depth after #endif; every branch starts at the depth
        # of the #if
        if not lv['skip'] and lv['truth'] is None:
            lv['truth'] = list(self.blocks)
        self.blocks = list(lv['blocks'])
        if name in _COND_MID:
            if lv.get('seen_else'):
                self.cf.diag(tok.line, '#%s after #else' % name)
            if name == 'else':
                lv['seen_else'] = True
                skip = lv['taken']
            else:
                const = _const_cond(d)
                skip = lv['taken'] or const is False
                if const is True:
                    lv['taken'] = True
            lv['skip'] = skip
            self.skipping = 1 if skip else 0
            lv['level'] = CondLevel(lv['level'].directives + [d],
                                    lv['level'].is_guard)
            return
        if name == 'endif':
            self.cond.pop()
            self.skipping = 0
            if lv['truth'] is not None:
                self.blocks = lv['truth']
            return

    # -- statements
    def _finish_decl(self, end_tok):
        if not self.stmt:
            return
        toks = self.toks
        first = toks[self.stmt[0]]
        self._add_item('decl', first, toks[end_tok])
        self.stmt = []

    def _add_item(self, kind, first, last, **kw):
        cf = self.cf
        it = Item(kind, first.start, last.end, first.line,
                  cf.line_of(last.end - 1) if last.end > last.start
                  else last.line, self._guards(), **kw)
        cf.items.append(it)
        return it

    def _open_top_block(self, i):
        toks = self.toks
        elems = _elements(toks, self.stmt)
        info = {'first': None, 'name': None}
        if not elems:
            self.blocks.append(('opaque', i, info))
            info['first'] = i
            return
        has_eq = any(e.kind == 'tok' and toks[e.first].text == '='
                     for e in elems)
        last = elems[-1]
        if has_eq:
            kind = 'init'
        elif last.kind == 'group' and last.open == '(':
            name_tok = _find_function_name(toks, elems)
            if name_tok is None:
                kind = 'opaque'
            else:
                kind = 'function'
                info['name'] = name_tok
                # a macro invocation without ';' before the definition
                # ("LUSIM_INITCALL(x, y)\nstatic int foo(...)") stays
                # outside the definition
                k = 0
                while (k + 2 < len(elems)
                       and elems[k].kind == 'tok'
                       and toks[elems[k].first].kind == 'id'
                       and toks[elems[k].first] is not name_tok
                       and toks[elems[k].first].text not in ATTR_NAMES
                       and elems[k + 1].kind == 'group'
                       and toks[elems[k + 2].first].line >
                       toks[elems[k + 1].last].line):
                    head = self.stmt[:self.stmt.index(elems[k + 2].first)]
                    self._add_item('decl', toks[head[0]], toks[head[-1]])
                    self.stmt = self.stmt[len(head):]
                    elems = elems[k + 2:]
                    k = 0
                info['static'] = any(
                    e.kind == 'tok' and toks[e.first].text == 'static'
                    for e in elems)
        else:
            kind = 'type'
        info['first'] = self.stmt[0]
        self.blocks.append((kind, i, info))

    def _close_top_block(self, i, kind, info):
        toks = self.toks
        cf = self.cf
        if kind == 'function':
            name_tok = info['name']
            self._add_item('function', toks[info['first']], toks[i],
                           name=name_tok.text, name_line=name_tok.line,
                           brace=toks[info['brace']].start,
                           is_static=info.get('static', False))
            self.stmt = []
        elif kind == 'opaque':
            first = toks[info['first']]
            self._add_item('decl', first, toks[i], macro_block=True)
            if self.stmt:
                cf.diag(first.line,
                        "'%s' at top level is not a plain function "
                        "definition (functions defined through macros are "
                        "not supported); it is kept as a declaration" %
                        first.text, 'warning')
            self.stmt = []
        else:
            # struct/union/enum body or initializer: continues to ';'
            self.stmt.append(i)

    def run(self):
        toks = self.toks
        cf = self.cf
        for i, t in enumerate(toks):
            if t.kind == 'pp':
                d = t.directive
                if d.name in _COND_OPEN or d.name in _COND_MID or \
                        d.name == 'endif':
                    self._handle_cond(t)
                    continue
                if self.skipping or self.blocks or self.stmt:
                    continue
                if d.name == 'line' or (d.name == '' and
                                        _LINE_DIR_RE.match(d.text)):
                    continue    # a line mark (CFile.line_map), not an item
                kind = 'include' if d.name in ('include',
                                               'include_next') else 'decl'
                self._add_item(kind, t, t, directive=d)
                continue
            if self.skipping:
                continue
            txt = t.text if t.kind == 'op' else None
            if not self.blocks:
                if txt in ('(', '['):
                    self.paren += 1
                    self.stmt.append(i)
                elif txt in (')', ']'):
                    if self.paren == 0:
                        cf.diag(t.line, "unmatched '%s'" % txt)
                        continue
                    self.paren -= 1
                    self.stmt.append(i)
                elif txt == '{':
                    if self.paren:
                        self.blocks.append(('inner', i, None))
                        self.stmt.append(i)
                    else:
                        self._open_top_block(i)
                        kind, _, info = self.blocks[-1]
                        info['brace'] = i
                elif txt == '}':
                    cf.diag(t.line, "unmatched '}'")
                elif txt == ';' and self.paren == 0:
                    self._finish_decl(i)
                else:
                    self.stmt.append(i)
                continue
            # inside a block
            if txt == '{':
                self.blocks.append(('inner', i, None))
            elif txt == '}':
                kind, oi, info = self.blocks.pop()
                if not self.blocks:
                    if kind == 'inner':
                        self.stmt.append(i)     # brace inside parens
                    else:
                        self._close_top_block(i, kind, info)
                elif t.col == 0 and self.col0_suspect is None and \
                        self.blocks[0][0] == 'function':
                    # kernel style: a '}' in column 0 ends a function
                    self.col0_suspect = (t, toks[oi], self.blocks[0])
        self._finish()

    def _finish(self):
        cf = self.cf
        toks = self.toks
        if self.blocks:
            kind, oi, info = self.blocks[0]
            if kind == 'function':
                what = "the body of '%s'" % info['name'].text
            else:
                what = 'a block'
            if self.col0_suspect and self.col0_suspect[2] is self.blocks[0]:
                close, opened, _ = self.col0_suspect
                cf.diag(close.line,
                        "unbalanced braces: this '}' in column 0 should end "
                        "%s (opened at line %d) but closes the '{' opened "
                        "at line %d; a '}' is missing before it" %
                        (what, cf.loc(toks[oi].line)[1],
                         cf.loc(opened.line)[1]))
            else:
                cf.diag(toks[oi].line,
                        "unbalanced braces: the '{' of %s is never closed" %
                        what)
        elif self.paren:
            first = toks[self.stmt[0]] if self.stmt else toks[-1]
            cf.diag(first.line, "unbalanced parentheses in the declaration "
                    "starting here")
        elif self.stmt:
            # e.g. a macro invocation without ';' at the end of the file
            self._add_item('decl', toks[self.stmt[0]], toks[self.stmt[-1]])
        for lv in self.cond:
            if 'level' in lv:
                d = lv['level'].directives[0]
                cf.diag(d.line, 'unterminated #%s' % d.name)


def _const_cond(d):
    """True/False for '#if 1' / '#if 0', None otherwise."""
    if d.name in ('if', 'elif') and d.cond in ('0', '1'):
        return d.cond == '1'
    return None


_LINE_DIR_RE = re.compile(r'#\s*(?:line\s+)?(\d+)\s+"((?:[^"\\]|\\.)*)"')


def _line_directive_map(cf):
    """A line_map from the file's own '#line N "FILE"' directives (an
    override written by ``lusim review`` names the mail's lines this way),
    or None when it has none."""
    marks = []      # (directive line, target line, target file)
    for t in cf.tokens:
        if t.kind == 'pp' and t.directive.name in ('line', ''):
            m = _LINE_DIR_RE.match(t.directive.text)
            if m:
                f = m.group(2).replace('\\"', '"').replace('\\\\', '\\')
                marks.append((t.line, int(m.group(1)), f))
    if not marks:
        return None
    keys = [m[0] for m in marks]
    display = cf.display

    def line_map(line):
        k = bisect.bisect_left(keys, line) - 1
        if k < 0:
            return (display, line)
        dline, n, f = marks[k]
        return (f, n + line - dline - 1)
    return line_map


def parse_c(text, path, display=None, line_map=None):
    """Parse C source text; see CFile.  Never raises.  Without a line_map,
    the file's own #line directives (if any) make one."""
    cf = CFile(path, text, display=display, line_map=line_map)
    _tokenize(cf)
    if line_map is None:
        cf.line_map = _line_directive_map(cf)
    if cf.errors:
        return cf
    _Parser(cf).run()
    # lusim-target: a comment before the first token
    first_tok = cf.tokens[0].start if cf.tokens else len(text)
    for c in cf.comments:
        m = _TARGET_RE.search(c.text)
        if not m:
            continue
        if c.start > first_tok:
            cf.diag(c.line, 'lusim-target must be in a comment before the '
                    'first line of code')
        elif cf.target is None:
            cf.target = m.group(1)
            cf.target_line = c.line
        else:
            cf.diag(c.line, 'second lusim-target (the first is at line %d)' %
                    cf.loc(cf.target_line)[1])
    return cf


# --------------------------------------------------------------------------
# Model index


def _norm(p):
    p = os.path.normpath(p.replace('\\', '/'))
    return '' if p == '.' else p


class ModelFile:
    """A kernel-model source file.  `key` is how the caller names it (e.g.
    the path as listed in meson), `names` the spellings a lusim-target line
    may use (paths relative to each root, i.e. the kernel path)."""

    def __init__(self, path, key=None, names=()):
        self.path = os.path.abspath(path)
        self.key = key if key is not None else path
        self.names = list(names)
        self._cf = None

    @property
    def cfile(self):
        if self._cf is None:
            self._cf = CFile.from_path(self.path)
        return self._cf

    @property
    def display_name(self):
        """The shortest name that does not climb out of a root (the kernel
        path for files under sim/)."""
        good = [n for n in self.names if not n.startswith('..')]
        return min(good, key=lambda n: (len(n), n)) if good else self.key

    def __repr__(self):
        return 'ModelFile(%r)' % self.key


class ModelIndex:
    def __init__(self, files: Sequence[ModelFile], roots=()):
        self.files = list(files)
        self.roots = [os.path.abspath(r) for r in roots]
        for mf in self.files:
            names = set(_norm(n) for n in mf.names)
            names.add(_norm(mf.key))
            for r in self.roots:
                rel = os.path.relpath(mf.path, r)
                if not rel.startswith('..'):
                    names.add(_norm(rel))
            mf.names = sorted(names)
        self.defs: Dict[str, List[Tuple[ModelFile, Item]]] = {}
        self.warnings: List[Diagnostic] = []
        for mf in self.files:
            cf = mf.cfile
            self.warnings.extend(cf.diagnostics)
            for it in cf.functions:
                self.defs.setdefault(it.name, []).append((mf, it))

    @classmethod
    def from_keys(cls, keys, base, roots=()):
        """Model files given as paths relative to `base` (meson's list)."""
        files = [ModelFile(os.path.join(base, k), key=k) for k in keys]
        return cls(files, roots)

    @classmethod
    def scan(cls, root_dirs, exclude=(), roots=None):
        """Every .c file under root_dirs, except directories in exclude."""
        excl = [os.path.abspath(e) for e in exclude]
        files = []
        for rd in root_dirs:
            for dirpath, dirnames, filenames in os.walk(rd):
                dirnames[:] = sorted(
                    d for d in dirnames
                    if os.path.abspath(os.path.join(dirpath, d)) not in excl
                    and not d.startswith('.'))
                for fn in sorted(filenames):
                    if fn.endswith('.c'):
                        p = os.path.join(dirpath, fn)
                        files.append(ModelFile(p, key=os.path.relpath(p)))
        return cls(files, roots if roots is not None else root_dirs)

    def defining(self, name):
        """Model files that define `name`, in index order, deduplicated."""
        seen = []
        for mf, _ in self.defs.get(name, ()):
            if mf not in seen:
                seen.append(mf)
        return seen

    def resolve(self, spelled):
        """Model files a lusim-target spelling names (exact kernel path
        first, then a unique path suffix)."""
        s = _norm(spelled)
        exact = [mf for mf in self.files if s in mf.names]
        if exact:
            return exact
        return [mf for mf in self.files
                if any(n == s or n.endswith('/' + s) for n in mf.names)]

    def all_names(self):
        return sorted(set(n for mf in self.files for n in mf.names))


# --------------------------------------------------------------------------
# Plan


@dataclass
class Unit:
    """One top-level item of an override file."""
    cfile: CFile
    item: Item

    @property
    def loc(self):
        return self.cfile.loc(self.item.name_line or self.item.line)


@dataclass
class TargetPlan:
    model: ModelFile
    replace: Dict[str, List[Unit]] = field(default_factory=dict)
    new: List[Unit] = field(default_factory=list)
    decls: List[Unit] = field(default_factory=list)
    includes: List[Unit] = field(default_factory=list)
    dropped: List[Tuple[Unit, str]] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)


@dataclass
class Plan:
    overrides: List[CFile]
    targets: List[TargetPlan]
    warnings: List[Diagnostic] = field(default_factory=list)
    # functions left out (make_plan(strict=False)): why, at their line
    rejected: List[Diagnostic] = field(default_factory=list)

    def summary(self, path_style=None):
        ps = path_style or (lambda p: p)
        out = []
        for d in self.rejected:
            out.append('not used: %s:%d: %s' % (ps(d.file), d.line,
                                                 d.message))
        for tp in self.targets:
            out.append('%s:' % tp.model.display_name)
            for name, units in tp.replace.items():
                defs = [it for it in tp.model.cfile.functions
                        if it.name == name]
                static = ' static' if defs and all(
                    d.is_static for d in defs) else ''
                for u in units:
                    f, ln = u.loc
                    out.append('  replaced%s %s()  <- %s:%d' %
                               (static, name, ps(f), ln))
            for u in tp.new:
                f, ln = u.loc
                out.append('  new %s()  <- %s:%d' % (u.item.name, ps(f), ln))
            for u in tp.includes:
                f, ln = u.loc
                out.append('  +#include %s  <- %s:%d' %
                           (u.item.directive.header or
                            u.item.directive.text.strip(), ps(f), ln))
            for u in tp.decls:
                f, ln = u.loc
                out.append('  +declaration  <- %s:%d' % (ps(f), ln))
            for u, why in tp.dropped:
                f, ln = u.loc
                out.append('  (skipped %s:%d: %s)' % (ps(f), ln, why))
            for n in tp.notes:
                out.append('  note: %s' % n)
        return '\n'.join(out)


def _normalize_decl(text):
    return ' '.join(re.sub(r'/\*.*?\*/|//[^\n]*', ' ', text,
                           flags=re.S).split())


_EXPORT_RE = re.compile(r'^\s*EXPORT_SYMBOL\w*\s*\(\s*(\w+)')


def make_plan(overrides: Sequence[CFile], index: ModelIndex,
              strict=True) -> Plan:
    """Decide, for every function of every override file, which model file
    it goes into and whether it replaces a definition or is new.

    strict=False (for ``lusim review``): a function that cannot be placed
    (unknown, ambiguous, defined by two overrides) is left out and listed
    in Plan.rejected instead of failing the plan; file-level errors (syntax,
    a bad lusim-target, nothing usable at all) still raise SpliceError.

    Rules, per function name f of an override file with lusim-target T:
      - T defines f: replace it in T;
      - no T, exactly one model file defines f: replace it there;
      - T given, f not in T, exactly one model file has a non-static f:
        replace that one (the override spans several files);
      - T given otherwise: f is new, appended to T;
      - no T and no model file defines f: error (name the target);
      - no T and several model files define f: error (ambiguous).
    """
    diags: List[Diagnostic] = []
    rejected: List[Diagnostic] = []
    warnings: List[Diagnostic] = []
    targets: Dict[str, TargetPlan] = {}
    seen_names: Dict[str, Unit] = {}

    def tplan(mf):
        if mf.key not in targets:
            targets[mf.key] = TargetPlan(mf)
        return targets[mf.key]

    def err(cf, line, msg):
        f, ln = cf.loc(line)
        diags.append(Diagnostic(f, ln, msg))

    def reject(cf, line, msg):
        f, ln = cf.loc(line)
        (diags if strict else rejected).append(Diagnostic(f, ln, msg))

    for cf in overrides:
        if cf.errors:
            diags.extend(cf.errors)
            continue
        warnings.extend(d for d in cf.diagnostics if not d.is_error)
        funcs = cf.functions
        if not funcs:
            err(cf, 1, 'no function definitions found')
            continue
        T = None
        if cf.target is not None:
            cands = index.resolve(cf.target)
            if len(cands) == 1:
                T = cands[0]
            elif not cands:
                close = difflib.get_close_matches(
                    _norm(cf.target), index.all_names(), n=3)
                err(cf, cf.target_line,
                    "lusim-target '%s' names no model file%s" %
                    (cf.target, ('; did you mean %s?' %
                                 ', '.join(close)) if close else ''))
                continue
            else:
                err(cf, cf.target_line,
                    "lusim-target '%s' is ambiguous: %s" %
                    (cf.target, ', '.join(c.display_name for c in cands)))
                continue
        func_target: Dict[int, TargetPlan] = {}
        for it in funcs:
            u = Unit(cf, it)
            prev = seen_names.get(it.name)
            if prev is not None and prev.cfile is not cf:
                pf, pl = prev.loc
                reject(cf, it.name_line,
                    "'%s' is also defined by the override %s:%d" %
                    (it.name, pf, pl))
                continue
            seen_names.setdefault(it.name, u)
            files = index.defining(it.name)

            def where(mfs):
                parts = []
                for mf in mfs:
                    lines = [d.name_line for m, d in index.defs[it.name]
                             if m is mf]
                    parts.append('%s:%d' % (mf.display_name, lines[0]))
                return ', '.join(parts)

            if T is not None and T in files:
                tp = tplan(T)
                tp.replace.setdefault(it.name, []).append(u)
            elif T is None and len(files) == 1:
                tp = tplan(files[0])
                tp.replace.setdefault(it.name, []).append(u)
            elif T is None and not files:
                reject(cf, it.name_line,
                    "no model file defines '%s'; to add it as a new "
                    "function, start the file with "
                    "/* lusim-target: <kernel path of the file> */" %
                    it.name)
                continue
            elif T is None:
                reject(cf, it.name_line,
                    "'%s' is ambiguous: it is defined in %s; name the file "
                    "with /* lusim-target: <kernel path> */ as the first "
                    "line" % (it.name, where(files)))
                continue
            else:
                ext = [mf for mf in files if any(
                    not d.is_static for m, d in index.defs[it.name]
                    if m is mf)]
                if len(ext) == 1:
                    tp = tplan(ext[0])
                    tp.replace.setdefault(it.name, []).append(u)
                    tp.notes.append(
                        "'%s' is not in lusim-target %s; it replaces the "
                        "external definition in %s" %
                        (it.name, T.display_name, ext[0].display_name))
                elif len(ext) > 1:
                    reject(cf, it.name_line,
                        "'%s' is ambiguous: it is defined in %s" %
                        (it.name, where(ext)))
                    continue
                else:
                    tp = tplan(T)
                    tp.new.append(u)
                    if files:
                        tp.notes.append(
                            "new static '%s' in %s is unrelated to the one "
                            "in %s" % (it.name, T.display_name, where(files)))
            func_target[id(it)] = tp

        if not func_target:
            continue
        # declarations travel with the next function (or the last one)
        order = cf.items
        cf_targets = []
        for tp in func_target.values():
            if tp not in cf_targets:
                cf_targets.append(tp)
        for k, it in enumerate(order):
            if it.kind == 'function':
                continue
            u = Unit(cf, it)
            if it.kind == 'include':
                for tp in cf_targets:
                    tp.includes.append(u)
                continue
            tp = None
            for nxt in order[k + 1:]:
                if id(nxt) in func_target:
                    tp = func_target[id(nxt)]
                    break
            if tp is None:
                for prv in reversed(order[:k]):
                    if id(prv) in func_target:
                        tp = func_target[id(prv)]
                        break
            if tp is None:
                continue
            tp.decls.append(u)

    if diags:
        raise SpliceError(sorted(diags, key=lambda d: (d.file, d.line)))

    # drop includes the target already has, declarations it already has
    for tp in targets.values():
        mcf = tp.model.cfile
        if mcf.errors:
            diags.extend(mcf.errors)
            continue
        have_inc = set(it.directive.header or it.directive.text.strip()
                       for it in mcf.includes)
        incs = []
        for u in tp.includes:
            d = u.item.directive
            key = d.header or d.text.strip()
            if key in have_inc:
                continue
            have_inc.add(key)
            incs.append(u)
        tp.includes = incs
        have_decl = set(_normalize_decl(mcf.item_text(it))
                        for it in mcf.items if it.kind == 'decl')
        exported = set()
        for it in mcf.items:
            if it.kind == 'decl':
                m = _EXPORT_RE.match(mcf.item_text(it))
                if m:
                    exported.add(m.group(1))
        decls = []
        for u in tp.decls:
            txt = u.cfile.item_text(u.item)
            m = _EXPORT_RE.match(txt)
            if _normalize_decl(txt) in have_decl:
                tp.dropped.append((u, 'already in %s' %
                                   tp.model.display_name))
            elif m and m.group(1) in exported:
                tp.dropped.append((u, "'%s' is already exported in %s" %
                                   (m.group(1), tp.model.display_name)))
            else:
                decls.append(u)
        tp.decls = decls
    if diags:
        raise SpliceError(diags)
    if not targets and rejected:
        # nothing usable: every function was rejected
        raise SpliceError(sorted(rejected, key=lambda d: (d.file, d.line)))
    ordered = sorted(targets.values(), key=lambda t: t.model.key)
    return Plan(list(overrides), ordered, warnings,
                sorted(rejected, key=lambda d: (d.file, d.line)))


# --------------------------------------------------------------------------
# Rendering


def default_path_style(line_base=None, source_root=None):
    """How file names are written in #line: relative to line_base (the
    compiler's working directory, meson's build root) for files under
    source_root, absolute otherwise, so __FILE__ in unchanged code matches
    an ordinary build."""
    lb = os.path.abspath(line_base) if line_base else None
    sr = os.path.abspath(source_root) if source_root else None

    def style(p):
        ap = os.path.abspath(p)
        if lb and sr and (ap == sr or ap.startswith(sr + os.sep)):
            return os.path.relpath(ap, lb)
        return ap
    return style


def _cstr(s):
    return s.replace('\\', '\\\\').replace('"', '\\"')


class _Emitter:
    def __init__(self, path_style):
        self.out: List[str] = []
        self.cur = None         # (file, line) of the next output line
        self.bol = True
        self.ps = path_style

    def _line(self, f, ln):
        self.out.append('#line %d "%s"\n' % (ln, _cstr(f)))
        self.cur = (f, ln)

    def raw(self, text):
        if not self.bol:
            self.out.append('\n')
        self.out.append(text)
        self.bol = text.endswith('\n')
        self.cur = None

    def chunk(self, text, cf, first_line):
        if not text:
            return
        if not self.bol:
            self.out.append('\n')
            self.bol = True
            self.cur = None
        if cf.line_map is None:
            f = self.ps(cf.display)
            if self.cur != (f, first_line):
                self._line(f, first_line)
            self.out.append(text)
            nls = text.count('\n')
            self.bol = text.endswith('\n')
            self.cur = (f, first_line + nls) if self.bol else None
            return
        # mapped source: a #line wherever the mapping jumps, except inside
        # a multi-line comment, string or directive
        lines = text.splitlines(keepends=True)
        for k, ln_text in enumerate(lines):
            src_line = first_line + k
            f, ln = cf.loc(src_line)
            f = self.ps(f)
            if self.cur != (f, ln) and (k == 0 or
                                        src_line not in cf.unsafe_lines):
                self._line(f, ln)
            self.out.append(ln_text)
            if ln_text.endswith('\n'):
                if self.cur is not None:
                    self.cur = (self.cur[0], self.cur[1] + 1)
                self.bol = True
            else:
                self.bol = False
                self.cur = None

    def text(self):
        s = ''.join(self.out)
        return s if s.endswith('\n') else s + '\n'


def _padded_item_text(cf, item, start=None, end=None):
    """The item's text from the start of its line (indentation kept; code
    before it on the same line blanked) so columns stay right."""
    s = item.start if start is None else start
    e = item.end if end is None else end
    ls = cf.line_start(s)
    prefix = cf.text[ls:s]
    if prefix.strip():
        prefix = ''.join(c if c == '\t' else ' ' for c in prefix)
    return prefix + cf.text[s:e]


def _rewrite_include(d, dirs, outdir):
    """#include "x.h" resolved against dirs, rewritten to a path that works
    from the spliced copy's directory.  Returns the new directive text."""
    if not d.header or not d.header.startswith('"'):
        return d.text
    name = d.header[1:-1]
    for base in dirs:
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(cand):
            new = os.path.relpath(cand, outdir) if outdir else cand
            return d.text.replace(d.header, '"%s"' % new, 1)
    return d.text


def _emit_guarded(em, cf, item, body, body_line):
    """Emit body (text of item, starting at body_line) inside a replica of
    the item's top-level #if nesting in its override file."""
    for lv in item.guards:
        for d in lv.directives:
            em.chunk(d.text + '\n', cf, d.line)
    em.chunk(body if body.endswith('\n') else body + '\n', cf, body_line)
    for _ in item.guards:
        em.raw('#endif\n')


def render_target(tp: TargetPlan, outdir=None, path_style=None) -> str:
    """The spliced copy of tp.model as C text.

    outdir: directory the copy will be written to (quoted includes are
    rewritten relative to it; absolute when None)."""
    ps = path_style or (lambda p: os.path.abspath(p))
    mcf = tp.model.cfile
    text = mcf.text
    mdir = os.path.dirname(tp.model.path)
    em = _Emitter(ps)
    em.raw('/* Spliced by tools/splice from %s: do not edit. */\n' %
           _cstr(os.path.basename(tp.model.path)))

    # --- where things go
    funcs = mcf.functions
    first_func = funcs[0].start if funcs else len(text)
    inc_at = None
    for it in mcf.items:
        if it.start >= first_func:
            break
        if it.kind == 'include' and not it.guards:
            inc_at = it.end
    if inc_at is None:
        inc_at = mcf.line_start(mcf.items[0].start) if mcf.items else 0
    else:
        nl = text.find('\n', inc_at)
        inc_at = len(text) if nl < 0 else nl + 1

    repl = []       # (start, end, name)
    for it in funcs:
        if it.name in tp.replace:
            s = it.start
            ls = mcf.line_start(s)
            if not text[ls:s].strip():
                s = ls
            e = it.end
            nl = text.find('\n', e)
            rest_end = len(text) if nl < 0 else nl + 1
            if not text[e:rest_end].strip():
                e = rest_end
            repl.append((s, e, it.name))
    first_repl = repl[0][0] if repl else len(text)
    first_repl = max(first_repl, inc_at)

    # quoted #include lines of the model, rewritten for the copy's location
    inc_rewrites = []
    for tok in mcf.tokens:
        if tok.kind == 'pp' and tok.directive.header and \
                tok.directive.header.startswith('"'):
            new = _rewrite_include(tok.directive, [mdir], outdir)
            if new != tok.directive.text:
                inc_rewrites.append((tok.start, tok.end, new))

    def original(a, b):
        if a >= b:
            return
        parts = []
        p = a
        for s, e, new in inc_rewrites:
            if s >= a and e <= b:
                parts.append(text[p:s])
                parts.append(new)
                p = e
        parts.append(text[p:b])
        em.chunk(''.join(parts), mcf, mcf.line_of(a) if a < len(text)
                 else mcf.line_of(len(text)))

    def emit_unit(u, prototype=False):
        cf, it = u.cfile, u.item
        if it.kind == 'include':
            d = it.directive
            dirs = [os.path.dirname(os.path.abspath(cf.path)), mdir]
            _emit_guarded(em, cf, it, _rewrite_include(d, dirs, outdir),
                          d.line)
            return
        if prototype:
            sig = _padded_item_text(cf, it, end=it.brace).rstrip() + ';'
            _emit_guarded(em, cf, it, sig, it.line)
            return
        _emit_guarded(em, cf, it, _padded_item_text(cf, it), it.line)

    events = []     # (offset, order, kind, payload)
    events.append((inc_at, 0, 'includes', None))
    events.append((first_repl, 1, 'decls', None))
    for s, e, name in repl:
        events.append((s, 2, 'replace', (s, e, name)))
    events.append((len(text), 3, 'append', None))
    events.sort(key=lambda ev: (ev[0], ev[1]))

    pos = 0
    for off, _, kind, payload in events:
        if off < pos:
            continue
        original(pos, off)
        pos = off
        if kind == 'includes':
            for u in tp.includes:
                emit_unit(u)
        elif kind == 'decls':
            for u in tp.decls:
                emit_unit(u)
            if repl:
                for u in tp.new:
                    emit_unit(u, prototype=True)
        elif kind == 'replace':
            s, e, name = payload
            for u in tp.replace[name]:
                emit_unit(u)
            pos = e
        elif kind == 'append':
            for u in tp.new:
                emit_unit(u)
    original(pos, len(text))
    return em.text()


def output_name(mf: ModelFile, source_root=None):
    """File name of the spliced copy of mf (flat, unique per path)."""
    p = mf.path
    if source_root:
        p = os.path.relpath(p, os.path.abspath(source_root))
    parts = [('up' if x == '..' else x) for x in _norm(p).split('/') if x]
    return 'spliced__' + '__'.join(parts)
