#!/usr/bin/env python3
"""Runs the command excerpts of README.md and docs/*.md and compares the output they show with what
the commands print (ctest docs_excerpts; the conventions are in docs/testing.md#doc-excerpts).

  docs_excerpts.py --ferrite BUILD/ferrite --source SRC [--work DIR] [--only FILE[:LINE]] [--list]
  docs_excerpts.py --self-test

Blocks (fenced with ```):
  * a transcript: a block whose lines start with `$ ` (a command; a line ending in `\\` continues it
    on the next line). The lines up to the next `$ ` are the output that command prints (stdout and
    stderr together). Every command must exit 0 (show a failing one as `cmd; echo $?`).
  * a command block: ```sh / ```bash without `$ ` lines: every line is a command (run, exit 0
    required, output not compared). `#` comments are allowed.
  * any other block (code, JSON, a diagram, an output listing) is not a command and is not run,
    except after `<!-- docs-test: file PATH -->`, which writes the block to PATH in the work folder
    (for the commands below it that compile it).
  * `<!-- docs-test: skip REASON -->` on the line before a transcript or command block: not run (the
    reason is required and printed). `<!-- docs-test: needs PATH -->`: run only where PATH (relative
    to the source tree, e.g. ../shared/models/tflite) exists. Nothing else skips a block.
Placeholders in the shown output: a line that is only `...` or `…` stands for any number of lines
(none included); `<N>` for a number (1234, 1,234, 0.34, 1.5e-08, -3); `…` or `...` inside a line for
any text. Runs of blanks compare equal to one blank; trailing blanks are ignored.
The commands of one document run in order in one shell (variables and files carry over) in a
private copy-free work folder: `samples/`, `scripts/`, `tests/`, ... are links into the source tree,
`build/ferrite` and `ferrite` on PATH are the build's binary, `/tmp/` in a command or in its output
stands for a private temporary folder, and `/opt/ferrite` for a private install prefix.
"""
import argparse
import os
import select
import re
import shutil
import subprocess
import sys
import tempfile
import time

MARK = re.compile(r'^\s*<!--\s*docs-test:\s*(\w[\w-]*)\s*(.*?)\s*-->\s*$')
FENCE = re.compile(r'^(\s*)```+\s*([\w+-]*)')
SHELL_LANGS = {'sh', 'bash', 'shell', 'console'}


class Block:
    def __init__(self, path, line, lang, lines, marks):
        self.path, self.line, self.lang, self.lines, self.marks = path, line, lang, lines, marks

    def kind(self):
        if any(l.startswith('$ ') or l == '$' for l in self.lines):
            return 'transcript'
        if self.lang in SHELL_LANGS:
            return 'commands'
        return 'other'

    def where(self):
        return f'{self.path}:{self.line}'


def parse_blocks(path, text):
    """Fenced blocks of a Markdown text with the docs-test marks on the lines just before them."""
    lines = text.split('\n')
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang, start = len(m.group(1)), m.group(2).lower(), i
        i += 1
        body = []
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == '' else lines[i])
            i += 1
        i += 1  # closing fence
        marks, j = [], start - 1
        while j >= 0 and MARK.match(lines[j]):
            mm = MARK.match(lines[j])
            marks.append((mm.group(1), mm.group(2)))
            j -= 1
        blocks.append(Block(path, start + 1, lang, body, marks))
    return blocks


def transcript_steps(lines):
    """[(command, [expected output lines])] of a transcript block."""
    steps, i = [], 0
    while i < len(lines):
        l = lines[i]
        if l.startswith('$ ') or l == '$':
            cmd = [l[2:]]
            while cmd[-1].endswith('\\') and i + 1 < len(lines):
                i += 1
                cmd.append(lines[i])
            steps.append(('\n'.join(cmd), []))
        elif steps:
            steps[-1][1].append(l)
        i += 1
    for _, out in steps:  # blank lines that end a command's output only separate it from the next
        while out and out[-1].strip() == '':
            out.pop()
    return steps


def command_lines(lines):
    """The commands of a command block (continuations joined, comments and blank lines dropped)."""
    cmds, cur = [], []
    for l in lines:
        if not cur and (l.strip() == '' or l.strip().startswith('#')):
            continue
        cur.append(l)
        if not l.rstrip().endswith('\\'):
            cmds.append('\n'.join(cur))
            cur = []
    if cur:
        cmds.append('\n'.join(cur))
    return cmds


NUM = r'-?[0-9][0-9,]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?'


def norm(line):
    return re.sub(r'\s+', ' ', line).strip()


def line_regex(expected):
    """The regular expression of one expected output line (placeholders `<N>`, `…`, `...`)."""
    out, s = [], norm(expected)
    for tok in re.split(r'(<N>|…|\.\.\.)', s):
        if tok == '<N>':
            out.append(NUM)
        elif tok in ('…', '...'):
            out.append('.*?')
        else:
            out.append(re.escape(tok))
    return re.compile('^' + ''.join(out) + '$')


def is_ellipsis(line):
    return norm(line) in ('...', '…')


def match_output(expected, actual):
    """None if the actual lines match the expected ones, else a short description of the first
    difference."""
    exp = [l for l in expected]
    act = [norm(l) for l in actual]
    while act and act[-1] == '':
        act.pop()
    pats = [None if is_ellipsis(e) else line_regex(e) for e in exp]
    # Backtracking match over lines; `...` lines match any run of lines.
    memo = {}
    best = [0, 0]

    def go(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if (i, j) > tuple(best):
            best[0], best[1] = i, j
        if i == len(pats):
            r = j == len(act)
        elif pats[i] is None:
            r = any(go(i + 1, k) for k in range(j, len(act) + 1))
        else:
            r = j < len(act) and bool(pats[i].match(act[j])) and go(i + 1, j + 1)
        memo[key] = r
        return r

    sys.setrecursionlimit(10000)
    if go(0, 0):
        return None
    i, j = best
    while i < len(pats) and pats[i] is None:
        i += 1
    want = exp[i] if i < len(exp) else '(end of the shown output)'
    got = actual[j] if j < len(act) else '(end of the output)'
    return f'shown line {i + 1}: {want!r}\n      printed line {j + 1}: {got!r}'


def map_paths(text, env):
    # /tmp/ at the start of a word, after =, a quote, :, (, a comma, -I/-L (compiler flags) or file://
    text = re.sub(r'(^|[\s=\'":(,]|-I|-L|//)/tmp/', lambda m: m.group(1) + env['DOCS_TMP'] + '/', text, flags=re.M)
    return text.replace('/opt/ferrite', env['DOCS_PREFIX'])


def unmap_paths(text, env):
    return text.replace(env['DOCS_PREFIX'], '/opt/ferrite').replace(env['DOCS_TMP'] + '/', '/tmp/')


class Shell:
    """One bash process per document; commands run one at a time, output captured per command."""

    def __init__(self, cwd, env):
        self.env = env
        self.p = subprocess.Popen(['bash', '--norc', '--noprofile'], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0,
                                  start_new_session=True)
        self.n = 0

    def run(self, cmd, timeout):
        """(exit code, output lines) of one command; exit code None on a timeout."""
        self.n += 1
        tag = f'@@docs-test-{os.getpid()}-{self.n}@@'
        # stdin from /dev/null: a command that reads it (qemu -nographic) must not eat the script.
        script = f'{{ {map_paths(cmd, self.env)}\n}} < /dev/null 2>&1\n__docs_rc=$?; echo; echo "{tag} $__docs_rc"\n'
        self.p.stdin.write(script.encode())
        self.p.stdin.flush()
        data, deadline, fd = b'', time.time() + timeout, self.p.stdout.fileno()
        while True:
            left = deadline - time.time()
            if left <= 0:
                self.kill()
                return None, data.decode(errors='replace').split('\n')
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return -1, data.decode(errors='replace').split('\n')
            data += chunk
            pos = data.find(tag.encode())
            if pos >= 0 and data.find(b'\n', pos) >= 0:
                rc = int(data[pos:data.find(b'\n', pos)].split()[-1])
                out = data[:pos].decode(errors='replace').split('\n')
                if out and out[-1] == '':
                    out.pop()
                if out and out[-1] == '':
                    out.pop()  # the `echo` before the tag (a last line without a newline)
                return rc, [unmap_paths(l, self.env) for l in out]

    def kill(self):
        try:
            os.killpg(self.p.pid, 9)
        except ProcessLookupError:
            pass

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=10)
        except Exception:
            self.kill()


def make_work(ferrite, source, work):
    """The work folder: links into the source tree, build/ferrite, private /tmp and prefix."""
    repo = os.path.join(work, 'repo')
    os.makedirs(os.path.join(repo, 'build'), exist_ok=True)
    for name in os.listdir(source):
        if name in ('build', '.git') or name.startswith('build'):
            continue
        dst = os.path.join(repo, name)
        if not os.path.lexists(dst):
            os.symlink(os.path.join(source, name), dst)
    bdir = os.path.dirname(os.path.abspath(ferrite))
    for name in ('ferrite',):
        dst = os.path.join(repo, 'build', name)
        if not os.path.lexists(dst):
            os.symlink(os.path.abspath(ferrite), dst)
    # The build tree itself, for commands that install it (cmake --install build).
    for name in os.listdir(bdir):
        dst = os.path.join(repo, 'build', name)
        if not os.path.lexists(dst):
            os.symlink(os.path.join(bdir, name), dst)
    shared = os.path.join(os.path.dirname(os.path.abspath(source)), 'shared')
    if os.path.isdir(shared) and not os.path.lexists(os.path.join(work, 'shared')):
        os.symlink(shared, os.path.join(work, 'shared'))
    bindir = os.path.join(work, 'bin')
    os.makedirs(bindir, exist_ok=True)
    if not os.path.lexists(os.path.join(bindir, 'ferrite')):
        os.symlink(os.path.abspath(ferrite), os.path.join(bindir, 'ferrite'))
    tool = os.path.join(bdir, 'tests', 'ferrite_widen_conv')  # the test tool of ci.md
    if os.path.exists(tool) and not os.path.lexists(os.path.join(bindir, 'ferrite_widen_conv')):
        os.symlink(tool, os.path.join(bindir, 'ferrite_widen_conv'))
    tmp = os.path.join(work, 'tmp')
    os.makedirs(tmp, exist_ok=True)
    env = dict(os.environ)
    env['PATH'] = bindir + os.pathsep + env.get('PATH', '')
    env['DOCS_TMP'] = tmp
    env['DOCS_PREFIX'] = os.path.join(work, 'prefix')
    env['TMPDIR'] = tmp
    env['HOME'] = os.path.join(work, 'home')
    os.makedirs(env['HOME'], exist_ok=True)
    env.pop('CMAKE_GENERATOR', None)
    return repo, env


RUN_CACHE = {}


def run_doc(path, blocks, repo, env, timeout, report):
    sh = Shell(repo, env)
    failures = 0
    try:
        for b in blocks:
            marks = dict(b.marks)
            kind = b.kind()
            if 'file' in marks:
                dst = os.path.join(repo, marks['file'])
                os.makedirs(os.path.dirname(dst) or '.', exist_ok=True)
                with open(dst, 'w') as f:
                    f.write('\n'.join(b.lines) + '\n')
                report(f'  {b.where()}: wrote {marks["file"]}')
                continue
            if kind == 'other':
                continue
            if 'synopsis' in marks:
                failures += check_synopsis(b, sh, repo, timeout, report)
                continue
            if 'needs' in marks and not os.path.exists(os.path.join(repo, marks['needs'])):
                report(f'  {b.where()}: skipped ({marks["needs"]} is absent on this machine)')
                continue
            if 'skip' in marks:
                if not marks['skip']:
                    report(f'FAIL {b.where()}: docs-test skip without a reason')
                    failures += 1
                else:
                    report(f'  {b.where()}: skipped ({marks["skip"]})')
                continue
            steps = transcript_steps(b.lines) if kind == 'transcript' else \
                [(c, None) for c in command_lines(b.lines)]
            t0 = time.time()
            ok = True
            for cmd, expected in steps:
                # A `ferrite run` shown in several documents runs once (same command, same output
                # folder); each document's shown output is still compared with what it printed.
                once = bool(re.match(r'(\./)?(build/)?ferrite run [^;&|>]*$', cmd.replace('\\\n', ' ')))
                if once and cmd in RUN_CACHE:
                    rc, out = RUN_CACHE[cmd]
                else:
                    rc, out = sh.run(cmd, timeout)
                    if once:
                        RUN_CACHE[cmd] = (rc, out)
                first = cmd.split('\n')[0]
                if rc is None:
                    report(f'FAIL {b.where()}: timed out after {timeout} s: $ {first}')
                    failures += 1
                    return failures
                if rc != 0:
                    report(f'FAIL {b.where()}: exit {rc}: $ {first}\n' + '\n'.join('      | ' + l for l in out[-30:]))
                    failures += 1
                    ok = False
                    continue
                if expected is not None:
                    diff = match_output(expected, out)
                    if diff:
                        report(f'FAIL {b.where()}: output differs: $ {first}\n      {diff}\n      printed:\n' +
                               '\n'.join('      | ' + l for l in out[:60]))
                        failures += 1
                        ok = False
            if ok:
                report(f'  {b.where()}: {len(steps)} command(s) ok ({time.time() - t0:.1f} s)')
    finally:
        sh.close()
    return failures


def check_synopsis(b, sh, repo, timeout, report):
    """A usage synopsis (`<!-- docs-test: synopsis -->`): every `--option` it shows for `ferrite SUB`
    must be in `ferrite SUB --help`; for `bash scripts/X.sh` in the script (or scripts/X.py)."""
    bad = []
    for cmd in command_lines(b.lines):
        words = cmd.replace('\\\n', ' ').split('#')[0].split()
        opts = sorted(set(re.findall(r'(?<![\w-])(--[a-z][a-z0-9-]*)', ' '.join(words))))
        if words[:1] == ['ferrite']:
            sub = words[1] if len(words) > 1 and not words[1].startswith('-') else ''
            rc, out = sh.run(f'ferrite {sub} --help', timeout)
            text = '\n'.join(out)
            if rc != 0:
                bad.append(f'ferrite {sub} --help exits {rc}')
                continue
            where = f'ferrite {sub} --help'.replace('  ', ' ')
        elif words[:1] == ['bash'] and len(words) > 1:
            text = ''
            for f in (words[1], os.path.splitext(words[1])[0] + '.py'):
                if os.path.exists(os.path.join(repo, f)):
                    text += open(os.path.join(repo, f)).read()
            where = words[1]
        else:
            bad.append(f'not a synopsis of ferrite or of a script: {cmd.splitlines()[0]}')
            continue
        missing = [o for o in opts if not re.search(re.escape(o) + r'(?![\w-])', text)]
        if missing:
            bad.append(f'{where} has no {", ".join(missing)}')
    if bad:
        report(f'FAIL {b.where()}: synopsis out of date: ' + '; '.join(bad))
        return 1
    report(f'  {b.where()}: synopsis options ok')
    return 0


def self_test():
    """The extractor and the comparer on known snippets, a wrong one included."""
    doc = '\n'.join([
        'text',
        '<!-- docs-test: skip needs a board -->',
        '```sh',
        'flash --board x',
        '```',
        '```',
        '$ echo "arena 64256 bytes" && \\',
        '    echo x',
        'arena <N> bytes',
        'x',
        '$ printf "a\\nb\\nc\\nd\\n"',
        'a',
        '...',
        'd',
        '```',
        '```cpp',
        'int main() {}',
        '```',
    ])
    blocks = parse_blocks('self.md', doc)
    assert [b.kind() for b in blocks] == ['commands', 'transcript', 'other'], [b.kind() for b in blocks]
    assert blocks[0].marks == [('skip', 'needs a board')], blocks[0].marks
    steps = transcript_steps(blocks[1].lines)
    assert len(steps) == 2 and steps[0][0].endswith('echo x') and steps[0][1] == ['arena <N> bytes', 'x'], steps
    assert command_lines(['# c', 'a \\', '  b', '', 'c']) == ['a \\\n  b', 'c']
    good = [
        (['arena <N> bytes'], ['arena 64,256   bytes']),
        (['a', '...', 'd'], ['a', 'b', 'c', 'd']),
        (['a', '…', 'd'], ['a', 'd']),
        (['x … y'], ['x anything at all y']),
        (['err 1.49e-08'], ['err 1.49e-08  ']),
        (['ratio <N>'], ['ratio 0.2500']),
    ]
    bad = [
        (['arena 64256 bytes'], ['arena 64257 bytes']),          # a drifted number
        (['a', 'd'], ['a', 'b', 'd']),                           # a line not shown, no `...`
        (['a', '...', 'd'], ['a', 'b', 'c']),                    # a shown line not printed
        (['arena <N> bytes'], ['arena many bytes']),             # <N> is a number only
        (['wrote 5 files to /tmp/x'], ['wrote 6 files to /tmp/x']),
    ]
    for e, a in good:
        assert match_output(e, a) is None, (e, a, match_output(e, a))
    for e, a in bad:
        assert match_output(e, a) is not None, (e, a)
    # End to end: a deliberately wrong transcript must fail, the right one pass.
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, DOCS_TMP=work, DOCS_PREFIX=os.path.join(work, 'p'))
        msgs = []
        wrong = parse_blocks('wrong.md', '```\n$ echo "wrote 6 files to /tmp/x"\nwrote 5 files to /tmp/x\n```\n')
        right = parse_blocks('right.md', '```\n$ echo "wrote 6 files to /tmp/x"; echo $?\nwrote <N> files to /tmp/x\n0\n```\n')
        failing = parse_blocks('exit.md', '```sh\nfalse\n```\n')
        nomark = parse_blocks('skip.md', '<!-- docs-test: skip -->\n```sh\ntrue\n```\n')
        assert run_doc('wrong.md', wrong, work, env, 20, msgs.append) == 1, msgs
        assert run_doc('right.md', right, work, env, 20, msgs.append) == 0, msgs
        assert run_doc('exit.md', failing, work, env, 20, msgs.append) == 1, msgs
        assert run_doc('skip.md', nomark, work, env, 20, msgs.append) == 1, msgs
    print('self-test: extractor and comparer ok (a drifted snippet fails)')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ferrite')
    ap.add_argument('--source')
    ap.add_argument('--work')
    ap.add_argument('--only', action='append', default=[])
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--self-test', action='store_true')
    ap.add_argument('--timeout', type=float, default=180)
    a = ap.parse_args()
    self_test()
    if a.self_test:
        return 0
    source = os.path.abspath(a.source)
    docs = ['README.md'] + sorted('docs/' + f for f in os.listdir(os.path.join(source, 'docs')) if f.endswith('.md'))
    work = a.work or tempfile.mkdtemp(prefix='ferrite-docs-')
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    repo, env = make_work(a.ferrite, source, work)
    failures, counts = 0, {'run': 0, 'skipped': 0}
    t_all = time.time()
    for d in docs:
        if a.only and not any(d == o.split(':')[0] for o in a.only):
            continue
        with open(os.path.join(source, d)) as f:
            blocks = parse_blocks(d, f.read())
        lines = [int(o.split(':')[1]) for o in a.only if o.startswith(d + ':')]
        if lines:
            blocks = [b for b in blocks if b.line in lines or 'file' in dict(b.marks)]
        runnable = [b for b in blocks if b.kind() != 'other' or 'file' in dict(b.marks)]
        for b in runnable:
            mk = dict(b.marks)
            if 'skip' in mk or ('needs' in mk and not os.path.exists(os.path.join(repo, mk['needs']))):
                counts['skipped'] += 1
            elif b.kind() != 'other':
                counts['run'] += 1
        if a.list:
            for b in runnable:
                print(f'{b.where()} {b.kind()} {b.marks}')
            continue
        if not runnable:
            continue
        print(f'{d}:', flush=True)
        failures += run_doc(d, runnable, repo, env, a.timeout, lambda s: print(s, flush=True))
    print(f'{counts["run"]} blocks run, {counts["skipped"]} skipped (docs-test: skip / needs), {failures} failure(s), '
          f'{time.time() - t_all:.0f} s')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
