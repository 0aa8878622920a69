"""Student edition of the course notebooks (course: notebook 00, homework; ``make student``).

    python -m cnnlib.release [--source notebooks] [--dest release]

For every notebook under ``source``, and every ``.py`` file that holds solution markers, the
student edition is written to ``dest`` under the same relative path:

- code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``# YOUR CODE HERE``
  and ``raise NotImplementedError()`` at the marker's indentation (as nbgrader does);
- ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` is removed, markers included;
- in Markdown cells, lines between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->``
  (a model answer) become ``*Write your answer here.*``;
- outputs, execution counts and all metadata but the kernel's and cell tags are removed.

These are the cuts ``nbgrader generate_assignment`` makes with the course's
``nbgrader_config.py`` (the tests check that both editions hold the same cells, line for line):
this tool writes the edition for self-study, without an nbgrader course; nbgrader's release is
the one to hand out for grading.  A cell tag ``solution-only`` is refused: nbgrader has no such
cell, so a model answer goes between the markers instead.

Other files are copied unchanged, except ``.ipynb_checkpoints`` and ``__pycache__``.  The
new edition is built in a temporary folder, then replaces ``dest`` as a whole; on any error
``dest`` is left as it was and the message names the file.  The result is reproducible byte
for byte, and running the tool on its own output changes nothing.
"""

import argparse
import copy
import json
import os
import re
import secrets
import shutil
import sys
from pathlib import Path

from cnnlib._validation import check_str, describe

__all__ = ["build", "strip_code", "strip_markdown", "student_notebook"]

SOLUTION_ONLY_TAG = "solution-only"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "*Write your answer here.*"
STAMP = ".cnnlib-release"  # marks a folder made by this tool, which it may replace
_SKIPPED_DIRS = {".ipynb_checkpoints", "__pycache__"}

_CODE_MARKER = re.compile(r"\s*#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*")
_MARKDOWN_MARKER = re.compile(r"\s*<!--\s*(BEGIN|END) (SOLUTION)\s*-->\s*")
# Near misses ("## BEGIN SOLUTIONS", "<!-- END SOLUTION>") must not let a solution through.
_CODE_LOOSE = re.compile(r"\s*#.*\b(BEGIN|END)\s*(SOLUTION|HIDDEN)", re.IGNORECASE)
_MARKDOWN_LOOSE = re.compile(r"\s*<!--.*\b(BEGIN|END)\s*SOLUTION", re.IGNORECASE)


def _strip(source, where, strict, loose, stub):
    """Replace or drop the marked regions of ``source``; ``stub(kind)`` gives the new lines."""
    out, opened = [], None  # opened: (kind, line number) of the region being skipped
    for number, line in enumerate(source.splitlines(keepends=True), 1):
        match = strict.fullmatch(line.rstrip("\r\n"))
        if match is None:
            if loose.match(line):
                raise ValueError(f"{where}, line {number}: malformed marker {line.strip()!r}")
            if opened is None:
                out.append(line)
            continue
        begin, kind = match.group(1) == "BEGIN", match.group(2)
        if begin and opened:
            raise ValueError(f"{where}, line {number}: {line.strip()!r} inside the "
                             f"{opened[0]} region opened on line {opened[1]} (nested markers)")
        if not begin and (opened is None or opened[0] != kind):
            raise ValueError(f"{where}, line {number}: {line.strip()!r} without a matching "
                             f"BEGIN {kind} (unbalanced markers)")
        if begin:
            opened = (kind, number)
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}{text}\n" for text in stub(kind)]
        else:
            opened = None
    if opened:
        raise ValueError(f"{where}, line {opened[1]}: BEGIN {opened[0]} is never ended "
                         "(unbalanced markers)")
    result = "".join(out)
    return result if source.endswith("\n") else result.rstrip("\n")


def strip_code(source, where="<code>"):
    """Student version of Python code: solutions stubbed out, hidden tests removed.

    Raises ``ValueError`` naming ``where`` and the line for unbalanced or nested markers.
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    where = check_str("where", where)
    return _strip(source, where, _CODE_MARKER, _CODE_LOOSE,
                  lambda kind: CODE_STUB if kind == "SOLUTION" else ())


def strip_markdown(source, where="<markdown>"):
    """Student version of Markdown: each ``<!-- BEGIN/END SOLUTION -->`` region -> a prompt."""
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    where = check_str("where", where)
    return _strip(source, where, _MARKDOWN_MARKER, _MARKDOWN_LOOSE, lambda kind: (MARKDOWN_STUB,))


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def student_notebook(nb, where="<notebook>"):
    """Student edition of one notebook (its JSON, a dict), returned as a new dict."""
    where = check_str("where", where)
    if not _is_notebook(nb):
        raise ValueError(f"{where} is not a Jupyter notebook (nbformat 4): it has no list of "
                         f"cells (nb must be a notebook's JSON, a dict, got {describe(nb)})")
    nb = copy.deepcopy(nb)
    cells = []
    for index, cell in enumerate(nb["cells"]):
        tags = list(cell.get("metadata", {}).get("tags", []))
        source = _source(cell)
        first = source.strip().partition("\n")[0][:40]
        here = f"{where}, cell {index} (starting {first!r})"
        if SOLUTION_ONLY_TAG in tags:
            raise ValueError(f"{here}: the {SOLUTION_ONLY_TAG!r} tag is no longer supported "
                             "(nbgrader has no such cell); put the text between solution markers")
        if cell.get("cell_type") == "code":
            source = strip_code(source, here)
            cell["outputs"], cell["execution_count"] = [], None
        elif cell.get("cell_type") == "markdown":
            source = strip_markdown(source, here)
        cell["source"] = source.splitlines(keepends=True)  # as nbformat writes it
        cell["metadata"] = {"tags": tags} if tags else {}
        if nb.get("nbformat_minor", 0) >= 5 and "id" not in cell:
            cell["id"] = f"cell-{index}"  # a fixed id, not nbformat's random one: reproducible
        cells.append(cell)
    nb["cells"] = cells
    nb["metadata"] = {key: nb["metadata"][key] for key in ("kernelspec", "language_info")
                      if key in nb.get("metadata", {})}
    return nb


def _is_notebook(nb):
    return (isinstance(nb, dict) and nb.get("nbformat") == 4 and isinstance(nb.get("cells"), list)
            and all(isinstance(cell, dict) for cell in nb["cells"])
            and isinstance(nb.get("metadata", {}), dict))


def _read_notebook(path):
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ValueError(f"{path} is not a Jupyter notebook: not UTF-8 text ({err.reason})") \
            from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not a Jupyter notebook: invalid JSON at line {err.lineno}, "
                         f"column {err.colno} ({err.msg})") from None
    if not _is_notebook(nb):
        raise ValueError(f"{path} is not a Jupyter notebook (nbformat 4): valid JSON, but no "
                         "list of cells")
    return nb


def _write_edition(source, target):
    """Write the student edition of folder ``source`` into the empty folder ``target``."""
    counts = {"notebooks": 0, "Python files": 0, "other files": 0}
    for folder, dirs, files in os.walk(source, followlinks=True, onerror=_raise_walk_error):
        # A symbolic link to a folder above it would be walked forever.
        real, above = os.path.realpath(folder), Path(folder).relative_to(source).parents
        if any(os.path.realpath(source / parent) == real for parent in above):
            raise ValueError(f"{folder} is a symbolic link loop (it leads back to a folder "
                             "above it); remove the link")
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            path, out = Path(folder) / name, target / relative / name
            if name.endswith(".pyc") or (name == STAMP and relative == Path(".")):
                continue
            if not path.exists():
                raise ValueError(f"{path} is a broken symbolic link; remove it or fix its target")
            if name.endswith(".ipynb"):
                nb = student_notebook(_read_notebook(path), str(path))
                out.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False)
                               + "\n", encoding="utf-8")
                counts["notebooks"] += 1
                continue
            if name.endswith(".py"):
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    raise ValueError(f"{path} is not UTF-8 text") from None
                student = strip_code(text, str(path))
                if student != text:
                    out.write_text(student, encoding="utf-8", newline="")
                    counts["Python files"] += 1
                    continue
            shutil.copyfile(path, out)
            counts["other files"] += 1
    return counts


def _raise_walk_error(err):
    raise ValueError(f"cannot read {err.filename}: {err.strerror}") from None


def build(source="notebooks", dest="release"):
    """Write the student edition of ``source`` to ``dest``; return counts of files written.

    ``dest`` must not overlap ``source``; an existing ``dest`` is replaced only if this tool
    made it (or it is empty).
    """
    for argument, value in (("source", source), ("dest", dest)):
        if not isinstance(value, str | os.PathLike):
            raise TypeError(f"{argument} must be a path, got {value!r}")
    source, dest = Path(source).resolve(), Path(dest).resolve()
    if not source.is_dir():
        raise ValueError(f"source must be an existing folder, got {str(source)!r}")
    if dest == source or source in dest.parents or dest in source.parents:
        raise ValueError(f"dest {str(dest)!r} must not contain or lie inside source "
                         f"{str(source)!r}")
    ours = (dest / STAMP).is_file() or (dest.is_dir() and not any(dest.iterdir()))
    if dest.exists() and not ours:
        raise ValueError(f"dest {str(dest)!r} exists and was not made by cnnlib.release; "
                         "refusing to replace it (remove it or choose another dest)")
    blocker = next((p for p in reversed(dest.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise ValueError(f"dest {str(dest)!r} cannot be made: {str(blocker)!r} is a file, "
                         "not a folder")
    if dest.exists() and not dest.is_dir():
        raise ValueError(f"dest {str(dest)!r} is a file, not a folder")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        new = dest.parent / f".{dest.name}.new-{secrets.token_hex(4)}"
        new.mkdir()  # not tempfile.mkdtemp: the edition gets the usual permissions, not 0o700
    except OSError as err:
        raise ValueError(f"dest {str(dest)!r} cannot be made: {err.strerror}") from None
    old = dest.parent / f"{new.name}-old"
    try:
        counts = _write_edition(source, new)
        (new / STAMP).write_text("Student edition written by `python -m cnnlib.release`; "
                                 "the tool replaces this folder as a whole.\n")
        if dest.exists():
            dest.rename(old)
        new.rename(dest)
    except BaseException as err:
        shutil.rmtree(new, ignore_errors=True)
        if old.exists() and not dest.exists():
            old.rename(dest)
        if isinstance(err, OSError):  # unreadable file, full disk, ...: one line, no traceback
            name = f" {err.filename}" if err.filename else ""
            raise ValueError(f"could not write the student edition:{name}: {err.strerror}") \
                from None
        raise
    shutil.rmtree(old, ignore_errors=True)
    return counts


def main(argv=None):
    """Command line: ``python -m cnnlib.release [--source notebooks] [--dest release]``."""
    parser = argparse.ArgumentParser(prog="python -m cnnlib.release",
                                     description="Write the student edition of the notebooks.")
    parser.add_argument("--source", default="notebooks", help="instructor notebooks folder")
    parser.add_argument("--dest", default="release", help="student edition folder (replaced)")
    args = parser.parse_args(argv)
    try:
        counts = build(args.source, args.dest)
    except ValueError as err:
        parser.exit(2, f"error: {err}\n")
    summary = ", ".join(f"{what}: {n}" for what, n in counts.items())
    print(f"Student edition written to {args.dest}/: {summary}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
