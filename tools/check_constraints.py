"""Check that the packages pinned in a constraints file are installed at the pinned versions.

    python tools/check_constraints.py constraints/floor.txt

Run with the interpreter of the environment that was installed with ``pip install -c FILE``.
pip ignores a constraint on a package that nothing asks for, so a pin that did not take effect
would make a job of the version matrix test other versions than its file says: this exits 1 then.
"""

import re
import sys
from importlib import metadata

PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    with open(path, encoding="utf-8") as file:
        for line in file:
            match = PIN.match(line)
            if match:
                yield match.group(1), match.group(2)


def main(path):
    problems = []
    for name, version in pins(path):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name}=={version} is pinned but not installed")
            continue
        if installed != version:
            problems.append(f"{name}=={version} is pinned but {installed} is installed")
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    count = sum(1 for _ in pins(path))
    print(f"{path}: {count - len(problems)} of {count} pins installed as written")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
