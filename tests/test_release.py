"""cnnlib.release: the student edition holds no solution, fails only at its checks, is stable."""

import ast
import json
import re
import runpy
import sys
import warnings

import nbformat
import pytest
from conftest import NOTEBOOKS
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnnlib.checks import answer_hash
from cnnlib.release import build, main, strip_code, strip_markdown

INSTRUCTOR = sorted(NOTEBOOKS.glob("*.ipynb"))

# --- A fixture course folder ------------------------------------------------------------------

EXERCISE = '''def padding_to_keep_size(kernel_size):
    """Exercise: padding that keeps the size."""
    ### BEGIN SOLUTION
    secret_padding = (kernel_size - 1) // 2
    return secret_padding
    ### END SOLUTION'''

CHECK = '''from cnnlib.checks import Case, check_function
check_function(padding_to_keep_size, lambda k: (k - 1) // 2, [Case((k,)) for k in (1, 3, 5)])
### BEGIN HIDDEN TESTS
assert padding_to_keep_size(9) == 4  # secret hidden test
### END HIDDEN TESTS'''

TOP_LEVEL = "### BEGIN SOLUTION\nanswer = 3 * 3 * 64  # secret top-level answer\n### END SOLUTION"
VALUE_CHECK = f'from cnnlib.checks import check_value\ncheck_value(answer, name="answer", ' \
              f'expected_hash="{answer_hash(576)}")'
MODEL_ANSWER = "Why?\n\n<!-- BEGIN SOLUTION -->\nBecause of the secret model answer.\n" \
               "<!-- END SOLUTION -->\n\nMore text."
HELPER_PY = "def helper():\n    ### BEGIN SOLUTION\n    return 'secret helper'\n" \
            "    ### END SOLUTION\n"


def fixture_notebook():
    nb = new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "colab": {"provenance": []},
    })
    stream = new_output("stream", name="stdout", text="secret output\n")
    nb.cells = [
        new_markdown_cell("# Fixture"),
        new_code_cell("import numpy as np\nprint('hello')", execution_count=1,
                      outputs=[stream]),
        new_code_cell(EXERCISE, metadata={"nbgrader": {"solution": True, "grade_id": "secret"}}),
        new_code_cell(CHECK, execution_count=3,
                      outputs=[new_output("stream", name="stdout", text="✔ passed\n")]),
        new_code_cell(TOP_LEVEL),
        new_code_cell(VALUE_CHECK),
        new_markdown_cell(MODEL_ANSWER),
        new_code_cell("print(np.arange(3))", metadata={"tags": ["keep-me"]}),
    ]
    return nb


@pytest.fixture
def course(tmp_path):
    source = tmp_path / "notebooks"
    (source / "sub" / ".ipynb_checkpoints").mkdir(parents=True)
    (source / "__pycache__").mkdir()
    nbformat.write(fixture_notebook(), source / "sub" / "fixture.ipynb")
    nbformat.write(fixture_notebook(), source / "sub" / ".ipynb_checkpoints" / "f-checkpoint.ipynb")
    (source / "__pycache__" / "helper.cpython-311.pyc").write_bytes(b"secret bytecode")
    (source / "helper.py").write_text(HELPER_PY)
    (source / "plain.py").write_text("VALUE = 1\r\n")
    (source / "image.png").write_bytes(bytes(range(256)))
    return source


def tree(folder):
    """{relative path: bytes} of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_fixture_release(course, tmp_path):
    counts = build(course, tmp_path / "release")
    assert counts == {"notebooks": 1, "Python files": 1, "other files": 2}
    files = tree(tmp_path / "release")
    assert not [path for path, data in files.items() if b"secret" in data]
    assert files["plain.py"] == b"VALUE = 1\r\n" and files["image.png"] == bytes(range(256))
    assert set(files) == {"sub/fixture.ipynb", "helper.py", "plain.py", "image.png",
                          ".cnnlib-release"}
    assert files["helper.py"].decode() == \
        "def helper():\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"

    nb = nbformat.read(tmp_path / "release" / "sub" / "fixture.ipynb", as_version=4)
    sources = [cell.source for cell in nb.cells]
    assert len(nb.cells) == 8
    assert sources[2].endswith('    """Exercise: padding that keeps the size."""\n'
                               "    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert sources[3] == CHECK.split("\n### BEGIN HIDDEN TESTS")[0]
    assert sources[4] == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert sources[6] == "Why?\n\n*Write your answer here.*\n\nMore text."
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert [cell.metadata for cell in nb.cells][-1] == {"tags": ["keep-me"]}
    assert all(cell.metadata == {} for cell in nb.cells[:-1])
    assert set(nb.metadata) == {"kernelspec", "language_info"}


def test_release_is_idempotent(course, tmp_path):
    build(course, tmp_path / "first")
    build(course, tmp_path / "first")  # replaces its own earlier output
    build(course, tmp_path / "second")
    assert tree(tmp_path / "first") == tree(tmp_path / "second")
    build(tmp_path / "first", tmp_path / "again")  # the tool on its own output
    assert tree(tmp_path / "again") == tree(tmp_path / "first")


def test_command_line(course, tmp_path, capsys, monkeypatch):
    # `python -m cnnlib.release ...`, run in this process (a fresh one would import TensorFlow
    # again for seconds): the module runs as __main__ with the command line in sys.argv.
    monkeypatch.setattr(sys, "argv", ["cnnlib.release", "--source", str(course),
                                      "--dest", str(tmp_path / "release")])
    with warnings.catch_warnings(), pytest.raises(SystemExit) as info:
        warnings.filterwarnings("ignore", "'cnnlib.release' found in sys.modules",
                                RuntimeWarning)
        runpy.run_module("cnnlib.release", run_name="__main__", alter_sys=True)
    out = capsys.readouterr().out
    assert info.value.code == 0, out
    assert "notebooks: 1" in out and (tmp_path / "release" / "sub").is_dir()
    with pytest.raises(SystemExit) as info:
        main(["--source", str(course), "--dest", str(course / "sub")])
    assert info.value.code == 2 and "must not contain or lie inside" in capsys.readouterr().err


@pytest.mark.parametrize(("source", "problem"), [
    ("### BEGIN SOLUTION\nx = 1", "line 1: BEGIN SOLUTION is never ended"),
    ("x = 1\n### END SOLUTION", "line 2: '### END SOLUTION' without a matching BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: .*nested"),
    ("### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS", "line 3: .* without a matching"),
    ("### BEGIN HIDDEN TESTS\n### BEGIN SOLUTION\n", "line 2: .*nested"),
    ("## BEGIN SOLUTIONS\nx = 1\n## END SOLUTIONS", "line 1: malformed marker"),
])
def test_bad_markers_raise(source, problem):
    with pytest.raises(ValueError, match=problem):
        strip_code(source, "nb.ipynb, cell 3")


def test_bad_markdown_markers_raise():
    with pytest.raises(ValueError, match="never ended"):
        strip_markdown("<!-- BEGIN SOLUTION -->\nanswer")
    with pytest.raises(ValueError, match="malformed"):
        strip_markdown("<!-- BEGIN SOLUTION>\nanswer")
    text = "Solutions sit between `### BEGIN SOLUTION` and `### END SOLUTION`."
    assert strip_markdown(text) == text, "prose about the markers is not a marker"


def test_bad_markers_name_the_file_and_cell_and_leave_dest_alone(course, tmp_path):
    dest = tmp_path / "release"
    build(course, dest)
    before = tree(dest)
    nb = fixture_notebook()
    nb.cells[4].source = "### BEGIN SOLUTION\nanswer = 1"
    nbformat.write(nb, course / "sub" / "fixture.ipynb")
    with pytest.raises(ValueError, match=r"fixture\.ipynb, cell 4 .*never ended"):
        build(course, dest)
    assert tree(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "release"], "no temp left"


def test_refuses_to_replace_a_folder_it_did_not_make(course, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(ValueError, match="not made by cnnlib.release"):
        build(course, precious)
    with pytest.raises(ValueError, match="must not contain"):
        build(course, tmp_path)
    assert (precious / "thesis.txt").read_text() == "years of work"


# --- The course's own notebooks ---------------------------------------------------------------

_CODE_REGION = re.compile(r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)[ \t]*\n(.*?)"
                          r"^[ \t]*### END \1[ \t]*$", re.MULTILINE | re.DOTALL)
_MARKDOWN_REGION = re.compile(r"<!-- BEGIN SOLUTION -->(.*?)<!-- END SOLUTION -->", re.DOTALL)
# Lines that say nothing about the solution: bare keywords and closing brackets.
_TRIVIAL = re.compile(r"(return|pass|break|continue|else:|try:|finally:|[)\]}]+[,:]?|\"\"\"|''')")


def hidden_lines(cell):
    """Lines of the instructor cell that the student edition must not contain."""
    pattern = _CODE_REGION if cell.cell_type == "code" else _MARKDOWN_REGION
    return [line for match in pattern.finditer(cell.source) for line in match.group(
        match.lastindex).splitlines()]


def public_lines(nb):
    """Lines of the instructor notebook outside every hidden region: they reveal nothing."""
    lines = set()
    for cell in nb.cells:
        pattern = _CODE_REGION if cell.cell_type == "code" else _MARKDOWN_REGION
        lines |= {line.strip() for line in pattern.sub("", cell.source).splitlines()}
    return lines


def needs_notebooks():
    if not INSTRUCTOR:
        pytest.skip("notebooks/ holds no notebook yet")


def assert_no_solution_line(path, release):
    nb = nbformat.read(path, as_version=4)
    student = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    public = public_lines(nb)
    secret = {line.strip() for cell in nb.cells for line in hidden_lines(cell)}
    meaningful = {line for line in secret
                  if line and not _TRIVIAL.fullmatch(line) and line not in public}
    assert not sorted(meaningful & student)
    assert all(cell.get("outputs", []) == [] for cell in release.cells)
    assert not [line for line in student if re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)", line)]


@pytest.mark.parametrize("path", INSTRUCTOR or [None], ids=lambda p: getattr(p, "name", "none"))
def test_no_solution_line_reaches_the_student_edition(path, student_edition):
    needs_notebooks()
    assert_no_solution_line(path, nbformat.read(student_edition / path.relative_to(NOTEBOOKS),
                                                as_version=4))


@pytest.mark.notebooks
@pytest.mark.parametrize("path", INSTRUCTOR or [None], ids=lambda p: getattr(p, "name", "none"))
def test_no_solution_line_reaches_nbgraders_release(path, nbgrader_course):
    needs_notebooks()
    assert_no_solution_line(path, nbformat.read(nbgrader_course.release(path), as_version=4))


def exercise_names(cell):
    """Top-level names an exercise cell defines (functions, classes, assignments)."""
    names = set()
    for node in ast.parse(strip_magics(cell.source)).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def used_names(source):
    return {n.id for n in ast.walk(ast.parse(strip_magics(source))) if isinstance(n, ast.Name)}


def strip_magics(source):
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def is_exercise(cell):
    return cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source


def is_check(cell):
    return cell.cell_type == "code" and re.search(r"\bcheck_|\bchecks\.", cell.source) is not None


def raises_at_top_level(source):
    """Does the student version of this cell run ``raise NotImplementedError()`` outside a def?"""
    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                               | ast.Lambda | ast.ClassDef)
            if isinstance(child, ast.Raise) and not inside and "NotImplementedError" in \
                    ast.unparse(child):
                return True
            if walk(child, inside):
                return True
        return False
    return walk(ast.parse(strip_magics(strip_code(source))), False)


def expected_failures(nb):
    """Indices (in the student edition) of the cells that must fail there."""
    cells = nb.cells
    failing, defined = set(), set()
    for index, cell in enumerate(cells):
        if is_exercise(cell):
            defined |= exercise_names(cell)
            if raises_at_top_level(cell.source):
                failing.add(index)
        elif is_check(cell) and used_names(cell.source) & defined:
            failing.add(index)
    return failing


@pytest.mark.parametrize("path", INSTRUCTOR or [None], ids=lambda p: getattr(p, "name", "none"))
def test_every_exercise_is_followed_by_its_check(path):
    needs_notebooks()
    cells = nbformat.read(path, as_version=4).cells
    exercises = [i for i, cell in enumerate(cells) if is_exercise(cell)]
    for number, start in enumerate(exercises):
        stop = exercises[number + 1] if number + 1 < len(exercises) else len(cells)
        names = exercise_names(cells[start])
        assert any(is_check(c) and used_names(c.source) & names for c in cells[start + 1:stop]), \
            f"cell {start} ({sorted(names)}) has no check cell after it"


@pytest.mark.parametrize("path", INSTRUCTOR or [None], ids=lambda p: getattr(p, "name", "none"))
def test_check_cells_hold_no_reference_implementation(path):
    """Check cells stay in the student edition: a function or lambda there (a reference, a hint
    that computes the answer) would show how to solve the exercise. Ready-made checks live in
    cnnlib.checks instead."""
    needs_notebooks()
    defined = set()
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if is_exercise(cell):
            defined |= exercise_names(cell)
        elif is_check(cell) and used_names(cell.source) & defined:
            tree = ast.parse(strip_magics(strip_code(cell.source)))
            code = [type(node).__name__ for node in ast.walk(tree)
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                                  | ast.ClassDef)]
            assert not code, f"check cell {index} defines {code}: move it into cnnlib.checks"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", INSTRUCTOR or [None], ids=lambda p: getattr(p, "name", "none"))
def test_student_edition_fails_exactly_at_its_checks(path, autograded):
    """Reads the student edition's one execution: nbgrader's autograding of the released notebook
    handed in blank (the instructor edition runs once, under nbval, which fails on any error)."""
    needs_notebooks()
    instructor = nbformat.read(path, as_version=4)
    release = nbformat.read(autograded.autograded("blank", path), as_version=4)
    errors = {i: output.ename for i, cell in enumerate(release.cells) if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"}
    if "DatasetError" in errors.values():
        pytest.skip("a dataset is not available here: set CNNLIB_DATA_DIR (see cnnlib.data)")
    assert len(release.cells) == len(instructor.cells)
    expected = expected_failures(instructor)
    assert set(errors) == expected, (
        f"cells that failed: {errors}; expected exactly the checks and top-level solutions "
        f"{sorted(expected)}")
    for index in expected:
        if is_check(release.cells[index]):  # a friendly message, or an answer never assigned
            assert errors[index] in {"CheckFailed", "NameError"}, (index, errors[index])


# --- Edge cases: one clear message, nothing half-written ---------------------------------------

@pytest.mark.parametrize(("name", "content", "problem"), [
    ("broken.ipynb", "{not json", r"broken\.ipynb is not a Jupyter notebook: invalid JSON"),
    ("list.ipynb", "[1, 2]", r"list\.ipynb is not a Jupyter notebook \(nbformat 4\)"),
    ("other.ipynb", json.dumps({"cells": "x", "nbformat": 4}), r"other\.ipynb is not a Jupyter"),
    ("v3.ipynb", json.dumps({"worksheets": [], "nbformat": 3}), r"v3\.ipynb is not a Jupyter"),
    ("latin.ipynb", b"\xff\xfe", r"latin\.ipynb is not a Jupyter notebook: not UTF-8"),
])
def test_a_file_that_is_not_a_notebook_gets_one_clear_message(course, tmp_path, capsys, name,
                                                             content, problem):
    dest = tmp_path / "release"
    build(course, dest)
    before = tree(dest)
    target = course / "sub" / name
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(SystemExit) as info:
        main(["--source", str(course), "--dest", str(dest)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and re.search(problem, err) and "Traceback" not in err, err
    assert tree(dest) == before, "the earlier edition is left as it was"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "release"], "no temp left"


def test_a_symlink_loop_gets_one_clear_message(course, tmp_path, capsys):
    (course / "sub" / "loop").symlink_to(course, target_is_directory=True)
    with pytest.raises(SystemExit) as info:
        main(["--source", str(course), "--dest", str(tmp_path / "release")])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "symbolic link loop" in err and "loop" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks"], "nothing half-written"


def test_a_broken_symlink_gets_one_clear_message(course, tmp_path, capsys):
    (course / "dangling.txt").symlink_to(tmp_path / "nowhere")
    with pytest.raises(SystemExit) as info:
        main(["--source", str(course), "--dest", str(tmp_path / "release")])
    assert info.value.code == 2 and "dangling.txt is a broken symbolic link" in \
        capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks"]


@pytest.mark.parametrize("dest", ["afile/release", "afile/deeper/release", "afile"])
def test_a_destination_under_a_file_gets_one_clear_message(course, tmp_path, capsys, dest):
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(SystemExit) as info:
        main(["--source", str(course), "--dest", str(tmp_path / dest)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "afile" in err and "Traceback" not in err, err
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_solution_only_tag_is_refused(course, tmp_path):
    nb = fixture_notebook()
    nb.cells[0].metadata["tags"] = ["solution-only"]
    nbformat.write(nb, course / "sub" / "fixture.ipynb")
    with pytest.raises(ValueError, match="solution-only"):
        build(course, tmp_path / "release")


def test_two_links_to_one_folder_are_not_a_loop(course, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "note.txt").write_text("shared")
    (course / "a").symlink_to(shared, target_is_directory=True)
    (course / "b").symlink_to(shared, target_is_directory=True)
    build(course, tmp_path / "release")
    assert (tmp_path / "release" / "a" / "note.txt").read_text() == \
        (tmp_path / "release" / "b" / "note.txt").read_text() == "shared"
