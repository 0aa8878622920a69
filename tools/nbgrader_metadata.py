"""Write the nbgrader metadata of the course notebooks from their solution markers, and keep
nbval's markers in cell tags.

    python tools/nbgrader_metadata.py notebooks/*.ipynb           (or: make nbgrader-metadata)
    python tools/nbgrader_metadata.py --check notebooks/*.ipynb   (exit 1 when out of date)
    python tools/nbgrader_metadata.py --readme README.md notebooks/*.ipynb   (and the points
                                                                   table in the README)

The markers are the single source of truth; this tool derives nbgrader's cell metadata (schema 3)
from them, so that ``nbgrader generate_assignment`` accepts the notebooks as they are:

- an **exercise** (a code cell with ``### BEGIN SOLUTION``) is a solution cell, ``nbNN-<name>``
  after the function (or variable) it defines;
- its **check** (each code cell after the exercise, before the next one, that calls ``checks.*`` /
  ``check_*`` on a name the exercise defines, hidden tests included) is a graded, locked,
  autograded test cell ``nbNN-<name>-check`` worth ``CHECK_POINTS``;
- an **open question** (markdown with ``<!-- BEGIN SOLUTION -->``) is a manually graded markdown
  solution cell ``nbNN-open-question`` worth ``OPEN_QUESTION_POINTS``;
- the **set-up cell** and the **import cell** (the first two code cells) are locked read-only
  cells ``nbNN-setup`` and ``nbNN-imports``: the checks rely on the course's installation and on
  ``cnnlib`` being imported, so nbgrader restores them from the source when it grades;
- every other cell carries no nbgrader metadata.

nbval's markers are **cell tags** (``nbval-check-output`` on a cell whose output nbval compares;
``nbval-ignore-output``, ``nbval-skip``, ``raises-exception``), not comment lines that students
would read at the top of the cell. A comment marker (``# NBVAL_CHECK_OUTPUT`` and the other
``# NBVAL_...`` lines nbval knows) is moved into its tag; a tag or comment that looks like an nbval
marker but is not one nbval honours is an error.

A line that nbgrader would take for a marker (it matches ``BEGIN SOLUTION`` and friends as
substrings) but that is not a well-formed marker of the cell's kind is an error, as are
unbalanced markers and hidden tests outside a check. The tool only touches cell metadata and
nbval's comment lines (cell ids and outputs are kept) and writes canonical JSON; running it twice
changes nothing.
"""

import argparse
import ast
import json
import re
import sys
from pathlib import Path

CHECK_POINTS = 2
OPEN_QUESTION_POINTS = 2
SCHEMA_VERSION = 3

# What nbgrader looks for, as substrings of any line (its default delimiters).
NBGRADER_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
_CODE_MARKER = re.compile(r"[ \t]*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)[ \t]*")
_MARKDOWN_MARKER = re.compile(r"[ \t]*<!-- (BEGIN|END) (SOLUTION) -->[ \t]*")
_CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(|\bchecks\.\w+")

# nbval's comment markers and the cell tags it reads instead (nbval/plugin.py: a comment's tag is
# its name in lower case with "-" for "_"; "raises-exception" is also what nbclient and JupyterLab
# honour, so it is the tag for an expected error).
NBVAL_TAGS = {
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_SKIP": "nbval-skip",
    "NBVAL_RAISES_EXCEPTION": "raises-exception",
    "PYTEST_VALIDATE_IGNORE_OUTPUT": "nbval-ignore-output",
}
NBVAL_TAG_NAMES = frozenset(NBVAL_TAGS.values()) | {"nbval-raises-exception"}
_NBVAL_COMMENT = re.compile(r"[ \t]*#+[ \t]*((?:NBVAL|PYTEST_VALIDATE)_\w*)(.*)")


class MarkerError(ValueError):
    """The markers of a notebook are malformed or inconsistent."""


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def markers(cell, where):
    """[(BEGIN|END, SOLUTION|HIDDEN TESTS)] of a cell, in order; MarkerError for lines that only
    look like markers, for unbalanced or nested regions, and for hidden tests in markdown."""
    pattern = _CODE_MARKER if cell["cell_type"] == "code" else _MARKDOWN_MARKER
    found, opened = [], None
    for number, line in enumerate(_source(cell).split("\n"), 1):
        if not any(delimiter in line for delimiter in NBGRADER_DELIMITERS):
            continue
        match = pattern.fullmatch(line)
        if match is None:
            raise MarkerError(f"{where}, line {number}: {line.strip()!r} looks like a marker to "
                              "nbgrader but is not one; reword it (nbgrader matches "
                              "'BEGIN SOLUTION' etc. anywhere in a line)")
        begin, kind = match.group(1) == "BEGIN", match.group(2)
        if begin == (opened is not None) or (not begin and opened != kind):
            raise MarkerError(f"{where}, line {number}: {line.strip()!r} is unbalanced or nested")
        opened = kind if begin else None
        found.append((match.group(1), kind))
    if opened:
        raise MarkerError(f"{where}: BEGIN {opened} is never ended")
    return found


def _strip_magics(source):
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def defined_names(source, where):
    """Top-level names an exercise cell defines, in order (functions, classes, assignments)."""
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError as err:
        raise MarkerError(f"{where}: not valid Python ({err.msg}, line {err.lineno})") from None
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return list(dict.fromkeys(names))


def used_names(source):
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def notebook_prefix(path):
    """``nb07`` for ``07-backpropagation.ipynb``."""
    match = re.match(r"(\d+)", Path(path).name)
    return f"nb{match.group(1)}" if match else re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower())


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _entry(grade_id, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def derive(nb, path):
    """{cell index: nbgrader metadata} that the markers of notebook ``nb`` (a dict) call for."""
    prefix, cells = notebook_prefix(path), nb["cells"]
    result, exercise_names, open_questions = {}, None, 0
    code = [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"]
    for index, role in zip(code[:2], ("setup", "imports"), strict=False):
        result[index] = _entry(f"{prefix}-{role}", locked=True)
    check_counts = {}
    for index, cell in enumerate(cells):
        where = f"{path}, cell {index}"
        if "solution-only" in cell.get("metadata", {}).get("tags", []):
            raise MarkerError(f"{where}: the 'solution-only' tag is no longer supported (nbgrader "
                              "has no such cell); put the text in a model answer instead")
        found = markers(cell, where)
        kinds = {kind for _, kind in found}
        source = _source(cell)
        if cell["cell_type"] == "markdown":
            if kinds:
                open_questions += 1
                suffix = "" if open_questions == 1 else f"-{open_questions}"
                result[index] = _entry(f"{prefix}-open-question{suffix}", solution=True,
                                       grade=True, points=OPEN_QUESTION_POINTS)
            continue
        if cell["cell_type"] != "code":
            continue
        if "SOLUTION" in kinds:
            if "HIDDEN TESTS" in kinds:
                raise MarkerError(f"{where}: hidden tests belong in the check cell, not in the "
                                  "exercise")
            if index in result:
                raise MarkerError(f"{where}: the set-up and import cells hold no exercise")
            names = defined_names(source, where)
            if not names:
                raise MarkerError(f"{where}: an exercise must define a function or a variable")
            exercise_names = (names[0], set(names))
            result[index] = _entry(f"{prefix}-{_slug(names[0])}", solution=True)
            continue
        is_check = (exercise_names is not None and _CHECK_CALL.search(source) is not None
                    and used_names(source) & exercise_names[1])
        if is_check:
            count = check_counts[exercise_names[0]] = check_counts.get(exercise_names[0], 0) + 1
            suffix = "" if count == 1 else f"-{count}"
            result[index] = _entry(f"{prefix}-{_slug(exercise_names[0])}-check{suffix}",
                                   grade=True, locked=True, points=CHECK_POINTS)
        elif kinds:
            raise MarkerError(f"{where}: hidden tests outside a check cell (a check cell calls a "
                              "check on a name that the exercise before it defines)")
    ids = [meta["grade_id"] for meta in result.values()]
    duplicates = sorted({grade_id for grade_id in ids if ids.count(grade_id) > 1})
    if duplicates:
        raise MarkerError(f"{path}: grade ids {duplicates} are not unique (two exercises define "
                          "the same name)")
    return result


def nbval_comments_to_tags(cell, where):
    """Move the nbval comment lines of a code cell (a dict, changed in place) into its tags;
    MarkerError for a comment or tag that looks like an nbval marker but is not one."""
    for tag in cell.get("metadata", {}).get("tags", []):
        if re.search("nbval|raises.exception", tag, re.IGNORECASE) and tag not in NBVAL_TAG_NAMES:
            raise MarkerError(f"{where}: the tag {tag!r} is not one nbval reads; use one of "
                              f"{sorted(NBVAL_TAG_NAMES)}")
    if cell["cell_type"] != "code":
        return
    source = _source(cell)
    kept, tags = [], []
    for line in source.splitlines(keepends=True):
        match = _NBVAL_COMMENT.fullmatch(line.rstrip("\r\n"))
        if match is None:
            kept.append(line)
        elif match.group(1) in NBVAL_TAGS and not match.group(2).strip():
            tags.append(NBVAL_TAGS[match.group(1)])
        else:
            raise MarkerError(f"{where}: {line.strip()!r} is not a marker nbval reads; tag the "
                              f"cell with one of {sorted(NBVAL_TAG_NAMES)} instead")
    if not tags:
        return
    text = "".join(kept)
    if not source.endswith("\n"):
        text = text.removesuffix("\n")
    cell["source"] = text.splitlines(keepends=True) if isinstance(cell["source"], list) else text
    metadata = cell.setdefault("metadata", {})
    metadata["tags"] = list(dict.fromkeys([*metadata.get("tags", []), *tags]))


def with_metadata(nb, path):
    """A copy of notebook ``nb`` (a dict) whose cells carry exactly the derived metadata, and
    nbval's markers as tags."""
    nb = json.loads(json.dumps(nb))
    for index, cell in enumerate(nb["cells"]):
        nbval_comments_to_tags(cell, f"{path}, cell {index}")
    derived = derive(nb, path)
    for index, cell in enumerate(nb["cells"]):
        cell.setdefault("metadata", {}).pop("nbgrader", None)
        if index in derived:
            cell["metadata"]["nbgrader"] = derived[index]
    return nb


def canonical(nb):
    """The JSON text nbformat writes (and tests/test_notebook_hygiene.py expects)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def points(nb, path):
    """[(grade_id, points, 'automatic' | 'manual')] of the graded cells of a notebook."""
    return [(meta["grade_id"], meta["points"], "manual" if meta["solution"] else "automatic")
            for _, meta in sorted(derive(nb, path).items()) if meta["grade"]]


def points_table(paths):
    """A Markdown table of the points per notebook (for the README)."""
    lines = ["| Notebook | Automatic (checks) | Manual (open questions) | Total |",
             "|---|---|---|---|"]
    totals = [0, 0]
    for path in paths:
        graded = points(json.loads(Path(path).read_text(encoding="utf-8")), path)
        auto = [(gid, p) for gid, p, kind in graded if kind == "automatic"]
        manual = sum(p for _, p, kind in graded if kind == "manual")
        checks = ", ".join(f"`{gid.split('-', 1)[1].removesuffix('-check')}` {p}"
                           for gid, p in auto)
        automatic = sum(p for _, p in auto)
        totals[0] += automatic
        totals[1] += manual
        lines.append(f"| {Path(path).stem[:2]} | {automatic} ({checks}) | {manual} | "
                     f"{automatic + manual} |")
    lines.append(f"| all | {totals[0]} | {totals[1]} | {sum(totals)} |")
    return "\n".join(lines)


TABLE_START, TABLE_END = "<!-- points table: start -->", "<!-- points table: end -->"


def with_points_table(readme, paths):
    """``readme`` (text) with the table between TABLE_START and TABLE_END rewritten."""
    before, start, rest = readme.partition(TABLE_START)
    _, end, after = rest.partition(TABLE_END)
    if not start or not end:
        raise ValueError(f"the README has no {TABLE_START} ... {TABLE_END} block")
    return f"{before}{TABLE_START}\n{points_table(paths)}\n{TABLE_END}{after}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a notebook's metadata is out of date")
    parser.add_argument("--table", action="store_true",
                        help="print the points per notebook as a Markdown table")
    parser.add_argument("--readme", type=Path,
                        help="also write the points table into this README (between "
                             f"{TABLE_START} and {TABLE_END})")
    args = parser.parse_args(argv)
    if args.table:
        print(points_table(args.notebooks))
        return 0
    stale = []
    for path in args.notebooks:
        try:
            text = path.read_text(encoding="utf-8")
            new = canonical(with_metadata(json.loads(text), path))
        except (OSError, ValueError) as err:  # MarkerError and JSONDecodeError are ValueErrors
            parser.exit(2, f"error: {path}: {err}\n" if str(path) not in str(err)
                        else f"error: {err}\n")
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    if args.readme:
        try:
            text = args.readme.read_text(encoding="utf-8")
            new = with_points_table(text, args.notebooks)
        except (OSError, ValueError) as err:
            parser.exit(2, f"error: {args.readme}: {err}\n")
        if new != text:
            stale.append(args.readme)
            if not args.check:
                args.readme.write_text(new, encoding="utf-8")
    verb = "out of date" if args.check else "updated"
    for path in stale:
        what = "points table" if path == args.readme else "nbgrader metadata or nbval tags"
        print(f"{path}: {what} {verb}")
    if args.check and stale:
        print("run `make nbgrader-metadata` to regenerate it")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
