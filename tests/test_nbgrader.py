"""nbgrader: the metadata follows the markers, and a real course grades the notebooks as they are.

The round trip (marked ``notebooks``) copies every notebook unchanged into a temporary nbgrader
course, releases all of them, autogrades test students (tests/grading.py) in quick mode and
exports the scores. The blank submissions are also the student edition's one execution, which
tests/test_release.py reads.
"""

import csv
import html
import json
import re
import subprocess
import sys

import pytest
from conftest import NOTEBOOKS, REPO
from grading import GRADED, MISTAKES, read, source_of

sys.path.insert(0, str(REPO / "tools"))
from nbgrader_metadata import (  # noqa: E402
    CHECK_POINTS,
    NBVAL_TAG_NAMES,
    NBVAL_TAGS,
    MarkerError,
    canonical,
    derive,
    points,
    with_metadata,
)

from cnnlib import checks  # noqa: E402

PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


# --- Metadata written from the markers (fast) --------------------------------------------------

@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_metadata_agrees_with_the_markers(path):
    text = path.read_text(encoding="utf-8")
    assert canonical(with_metadata(json.loads(text), path)) == text, \
        "nbgrader metadata and markers disagree: run `make nbgrader-metadata`"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_exercise_is_graded_by_its_check(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    meta = derive(nb, path)
    solutions = [m["grade_id"] for i, m in meta.items()
                 if m["solution"] and nb["cells"][i]["cell_type"] == "code"]
    checks_ = [m["grade_id"] for m in meta.values() if m["grade"] and not m["solution"]]
    assert solutions and [f"{s}-check" for s in solutions] == \
        [c for c in checks_ if not re.search(r"-check-\d+$", c)]
    manual = [m for m in meta.values() if m["grade"] and m["solution"]]
    assert len(manual) == 1, "one open question, graded by hand"
    for index, m in meta.items():
        cell = nb["cells"][index]
        hidden = "### BEGIN HIDDEN TESTS" in source_of(cell)
        assert not hidden or (m["grade"] and m["locked"]), f"cell {index}: hidden tests in a " \
            "cell that is not a locked test cell"


def test_grade_ids_are_named_after_the_exercise():
    nb = read("07-backpropagation.ipynb")
    ids = [m["grade_id"] for _, m in sorted(derive(nb, "07-backpropagation.ipynb").items())]
    assert ids == ["nb07-setup", "nb07-imports", "nb07-conv-backward", "nb07-conv-backward-check",
                   "nb07-max-pool-backward", "nb07-max-pool-backward-check", "nb07-im2col",
                   "nb07-im2col-check", "nb07-open-question"]


def notebook(*cells):
    return {"cells": [{"cell_type": kind, "metadata": {}, "source": source}
                      for kind, source in cells], "metadata": {}, "nbformat": 4,
            "nbformat_minor": 5}


SETUP = [("code", "import sys"), ("code", "import cnnlib\nfrom cnnlib import checks")]


@pytest.mark.parametrize(("cells", "problem"), [
    ([("markdown", "Solutions sit between `### BEGIN SOLUTION` and `### END SOLUTION`.")],
     "looks like a marker to nbgrader"),
    ([("code", "x = 1  # the BEGIN SOLUTION marker")], "looks like a marker"),
    ([("markdown", "<!-- BEGIN SOLUTION -->\nanswer")], "never ended"),
    ([("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
      ("code", "print(f())\n### BEGIN HIDDEN TESTS\nassert f() == 1\n### END HIDDEN TESTS")],
     "hidden tests outside a check cell"),
    ([("code", "### BEGIN SOLUTION\n### END SOLUTION\n")], "must define"),
    ([("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
      ("code", "def f():\n    ### BEGIN SOLUTION\n    return 2\n    ### END SOLUTION")],
     "not unique"),
])
def test_bad_markers_are_refused(cells, problem):
    with pytest.raises(MarkerError, match=problem):
        derive(notebook(*SETUP, *cells), "99-x.ipynb")


def test_solution_only_tag_is_refused():
    nb = notebook(*SETUP, ("markdown", "Discussion"))
    nb["cells"][-1]["metadata"]["tags"] = ["solution-only"]
    with pytest.raises(MarkerError, match="solution-only"):
        derive(nb, "99-x.ipynb")


def test_nbval_comment_markers_move_into_tags():
    nb = notebook(*SETUP, ("code", "# NBVAL_CHECK_OUTPUT\nprint(1)"),
                  ("code", "x = 1\n  ##NBVAL_IGNORE_OUTPUT\nprint(x)\n"),
                  ("code", "# NBVAL_RAISES_EXCEPTION\n1 / 0"),
                  ("code", "print(2)\n# NBVAL_SKIP"), ("markdown", "# NBVAL_SKIP"))
    nb["cells"][3]["metadata"]["tags"] = ["keep-me"]
    written = with_metadata(nb, "99-x.ipynb")
    assert [(c["source"], c["metadata"].get("tags")) for c in written["cells"][2:]] == [
        ("print(1)", ["nbval-check-output"]),
        ("x = 1\nprint(x)\n", ["keep-me", "nbval-ignore-output"]),
        ("1 / 0", ["raises-exception"]),
        ("print(2)", ["nbval-skip"]),
        ("# NBVAL_SKIP", None),  # a heading in markdown: nbval reads only code cells
    ]
    assert with_metadata(written, "99-x.ipynb") == written
    listed = notebook(*SETUP, ("code", "# NBVAL_CHECK_OUTPUT\nprint(1)\n"))
    listed["cells"][2]["source"] = ["# NBVAL_CHECK_OUTPUT\n", "print(1)\n"]  # as nbformat writes
    assert with_metadata(listed, "99-x.ipynb")["cells"][2]["source"] == ["print(1)\n"]


def test_nbval_reads_the_tags_with_the_meaning_of_the_comments():
    from nbval.plugin import comment_markers, metadata_tags

    assert NBVAL_TAG_NAMES <= set(metadata_tags)
    assert set(NBVAL_TAGS) == set(comment_markers)
    for comment, tag in NBVAL_TAGS.items():
        assert metadata_tags[tag] == comment_markers[comment], comment


@pytest.mark.parametrize(("source", "tag", "problem"), [
    ("# NBVAL_CHECK_OUTPUTS\nprint(1)", None, "not a marker nbval reads"),
    ("# NBVAL_CHECK_OUTPUT (shapes)\nprint(1)", None, "not a marker nbval reads"),
    ("print(1)", "nbval-check-outputs", "not one nbval reads"),
    ("print(1)", "raises_exception", "not one nbval reads"),
])
def test_markers_nbval_would_ignore_are_refused(source, tag, problem):
    nb = notebook(*SETUP, ("code", source))
    if tag:
        nb["cells"][-1]["metadata"]["tags"] = [tag]
    with pytest.raises(MarkerError, match=problem):
        with_metadata(nb, "99-x.ipynb")


def test_tool_writes_checks_and_is_idempotent(tmp_path):
    path = tmp_path / "99-x.ipynb"
    nb = notebook(*SETUP, ("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n"
                                   "    ### END SOLUTION"),
                  ("code", "checks.check_f(f)"), ("markdown", "Why?\n<!-- BEGIN SOLUTION -->\n"
                                                  "Because.\n<!-- END SOLUTION -->"))
    nb["cells"][2]["metadata"]["nbgrader"] = {"grade_id": "stale", "solution": False}
    path.write_text(canonical(nb))
    tool = [sys.executable, str(REPO / "tools" / "nbgrader_metadata.py")]
    stale = subprocess.run([*tool, "--check", str(path)], capture_output=True, text=True)
    assert stale.returncode == 1 and "out of date" in stale.stdout
    assert subprocess.run([*tool, str(path)]).returncode == 0
    written = json.loads(path.read_text())
    assert subprocess.run([*tool, "--check", str(path)]).returncode == 0
    assert [c["metadata"].get("nbgrader", {}).get("grade_id") for c in written["cells"]] == \
        ["nb99-setup", "nb99-imports", "nb99-f", "nb99-f-check", "nb99-open-question"]
    assert points(written, path) == [("nb99-f-check", CHECK_POINTS, "automatic"),
                                     ("nb99-open-question", 2, "manual")]
    assert [c["source"] for c in written["cells"]] == [c["source"] for c in nb["cells"]]


# --- The round trip in a real nbgrader course (slow) -------------------------------------------

def cell_sources(nb):
    return [(cell["cell_type"], source_of(cell)) for cell in nb["cells"]]


@pytest.mark.notebooks
def test_generate_assignment_releases_every_notebook(nbgrader_course):
    released = sorted(p.name for p in (nbgrader_course.root / "release").glob("hw*/*.ipynb"))
    assert released == [p.name for p in PATHS], "generate_assignment must release all notebooks"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_nbgrader_and_make_student_give_the_same_cells(path, nbgrader_course, student_edition):
    ours = json.loads((student_edition / path.name).read_text())
    theirs = json.loads(nbgrader_course.release(path).read_text())
    assert cell_sources(theirs) == cell_sources(ours)
    tags = [cell["metadata"].get("tags", []) for cell in json.loads(path.read_text())["cells"]]
    assert [c["metadata"].get("tags", []) for c in theirs["cells"]] == tags, \
        "nbgrader must keep the cell tags (nbval's markers)"
    assert [c["metadata"].get("tags", []) for c in ours["cells"]] == tags
    locked = [c["metadata"]["nbgrader"]["grade_id"] for c in theirs["cells"]
              if c["metadata"].get("editable") is False]
    assert any(grade_id.endswith("-check") for grade_id in locked)
    assert locked[:2] == [f"nb{path.name[:2]}-setup", f"nb{path.name[:2]}-imports"]


def grades(course):
    """{(assignment, student): (score, max_score)} from ``nbgrader export``'s grades.csv."""
    with (course.root / "grades.csv").open() as file:
        return {(row["assignment"], row["student_id"]): (float(row["score"]),
                                                         float(row["max_score"]))
                for row in csv.DictReader(file)}


def automatic_points(path):
    return sum(p for _, p, kind in points(json.loads(path.read_text()), path)
               if kind == "automatic")


def cell_score(course, student, path, grade_id):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade(grade_id, path.stem, f"hw{path.name[:2]}", student)
        return grade.score, grade.max_score


@pytest.mark.notebooks
def test_blank_submissions_score_zero(autograded):
    scores = grades(autograded)
    for path in PATHS:
        score, max_score = scores[f"hw{path.name[:2]}", "blank"]
        total = sum(p for _, p, _ in points(json.loads(path.read_text()), path))
        assert (score, max_score) == (0, total), path.name


@pytest.mark.notebooks
@pytest.mark.parametrize("name", GRADED)
def test_instructor_notebook_gets_every_automatic_point(autograded, name):
    path = NOTEBOOKS / name
    score, _ = grades(autograded)[f"hw{name[:2]}", "instructor"]
    assert score == automatic_points(path) > 0


def failure_message(name):
    """What the visible check says about the mistake of ``MISTAKES[name]``, run here."""
    import numpy as np

    from cnnlib import arithmetic

    function, right, wrong = MISTAKES[name]
    code = [source_of(c) for c in read(name)["cells"] if c["cell_type"] == "code"]
    exercise = next(i for i, c in enumerate(code) if c.lstrip().startswith(f"def {function}("))
    namespace = {"np": np, "arithmetic": arithmetic, "checks": checks}
    exec(code[exercise].replace(right, wrong), namespace)
    with pytest.raises(checks.CheckFailed) as failure:
        exec(code[exercise + 1].split("### BEGIN HIDDEN TESTS")[0], namespace)
    return str(failure.value)


@pytest.mark.notebooks
@pytest.mark.parametrize("name", GRADED)
def test_typical_mistake_loses_its_points_and_shows_its_hint(autograded, name):
    path, function = NOTEBOOKS / name, MISTAKES[name][0]
    score, _ = grades(autograded)[f"hw{name[:2]}", "mistake"]
    check_id = f"nb{name[:2]}-{function.replace('_', '-')}-check"
    assert cell_score(autograded, "mistake", path, check_id) == (0, CHECK_POINTS)
    assert 0 < score == automatic_points(path) - CHECK_POINTS
    message = failure_message(name)
    hint = re.search(r"Hint: (.+)", message)
    assert hint, f"the check gives no hint for this mistake:\n{message}"
    feedback = html.unescape(re.sub(r"<[^>]+>", "", autograded.feedback(
        "mistake", path).read_text(encoding="utf-8")))
    assert message.splitlines()[0] in feedback and hint.group(1).strip() in feedback


@pytest.mark.notebooks
def test_calling_the_library_reference_loses_the_hidden_test_points(autograded):
    path = NOTEBOOKS / "07-backpropagation.ipynb"
    assert cell_score(autograded, "library", path, "nb07-conv-backward-check") == \
        (0, CHECK_POINTS)
    score, _ = grades(autograded)["hw07", "library"]
    assert score == automatic_points(path) - CHECK_POINTS


def test_readme_lists_the_points_of_every_notebook():
    from nbgrader_metadata import with_points_table

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert with_points_table(readme, PATHS) == readme, \
        "the README's points table is out of date: run `make nbgrader-metadata`"
