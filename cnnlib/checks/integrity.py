"""Does the student's function compute its answer, or call the library's?  (Grading only.)

The hidden tests of a graded notebook call :func:`assert_own_work` before comparing the
student's function with values written into the notebook: it reads the function's code (and
the code of the notebook's functions it calls, its closures and default values) and fails if
any of them refers to a forbidden module or function, such as ``cnnlib.reference`` for an
exercise that asks to implement a convolution.  It reads names, so it catches the ordinary
ways of calling a function (``reference.conv2d(...)``, ``from cnnlib import reference``,
``r = reference.conv2d`` in an earlier cell); code written to hide a call (``getattr`` with a
computed name) is beyond it.
"""

import builtins
import functools
import sys
import types

from cnnlib._validation import check_str
from cnnlib.checks.core import fail

__all__ = ["assert_own_work", "library_calls"]

_HIDING = ("__import__", "eval", "exec")  # builtins that call by a computed name
_HIDING_FUNCTIONS = ("importlib.import_module",)


def _qualified(obj):
    """The dotted name of a module, function or class; for anything else, of its type."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(module, str) and isinstance(name, str):
        return f"{module}.{name}"
    kind = type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def _is_forbidden(dotted, forbidden):
    return any(dotted == f or dotted.startswith(f + ".") for f in forbidden)


def _all_names(code):
    """co_names of a code object and of the functions, lambdas, comprehensions inside it."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _all_names(const)
    return names


class _Search:
    def __init__(self, root, forbidden):
        self.forbidden = tuple(forbidden)
        self.namespace = getattr(root, "__globals__", None)
        self.seen = set()
        self.found = set()

    def own(self, fn):
        """True for a function of the student's namespace (the notebook, or the root's module)."""
        return (isinstance(fn, types.FunctionType)
                and (fn.__globals__ is self.namespace or fn.__module__ == "__main__"))

    def function(self, fn):
        if id(fn) in self.seen:
            return
        self.seen.add(id(fn))
        names = _all_names(fn.__code__)
        for name in names:
            if name in fn.__globals__:
                self.value(fn.__globals__[name], names, path=name)
            elif name in _HIDING and name in vars(builtins):
                self.found.add(f"builtins.{name}")
            elif name in sys.modules:  # import inside the function
                self.value(sys.modules[name], names, path=name)
        for cell in fn.__closure__ or ():
            try:
                self.value(cell.cell_contents, names)
            except ValueError:  # an empty cell
                continue
        for default in (*(fn.__defaults__ or ()), *(fn.__kwdefaults__ or {}).values()):
            self.value(default, names)

    def value(self, obj, names, path=None, depth=0):
        if isinstance(obj, functools.partial):
            self.value(obj.func, names, depth=depth)
            return
        dotted = _qualified(obj)
        if _is_forbidden(dotted, self.forbidden + _HIDING_FUNCTIONS):
            self.found.add(dotted)
            return
        if self.own(obj):
            self.function(obj)
        elif isinstance(obj, types.ModuleType) and depth < 3:
            for name in names:  # attributes the code may read: reference.conv2d, tf.nn.conv2d
                attribute = getattr(obj, name, None)
                if attribute is None or attribute is obj:
                    continue
                if _is_forbidden(f"{obj.__name__}.{name}", self.forbidden):
                    self.found.add(f"{obj.__name__}.{name}")
                elif isinstance(attribute, types.ModuleType) or callable(attribute):
                    self.value(attribute, names, depth=depth + 1)


def library_calls(fn, forbidden=("cnnlib",)):
    """The sorted dotted names of the forbidden modules and functions that ``fn`` refers to.

    ``forbidden`` holds dotted prefixes: ``"cnnlib"`` forbids the whole library,
    ``"cnnlib.reference"`` one module, ``"scipy.signal.correlate2d"`` one function.  Besides
    them, calls by a computed name (``__import__``, ``eval``, ``exec``) are reported."""
    if not callable(fn):
        raise TypeError(f"fn must be a function, got {fn!r} ({type(fn).__name__})")
    if not isinstance(forbidden, list | tuple) or not all(isinstance(f, str) and f
                                                          for f in forbidden):
        raise TypeError(f"forbidden must be a tuple of dotted names, got {forbidden!r}")
    search = _Search(fn, forbidden)
    if isinstance(fn, types.FunctionType):
        search.function(fn)
    else:
        search.value(fn, set())
    return sorted(search.found)


def assert_own_work(fn, forbidden=("cnnlib",), *, name=None):
    """Fail with :class:`~cnnlib.checks.core.CheckFailed` if ``fn`` refers to one of
    ``forbidden`` (see :func:`library_calls`): the exercise is to write it, not to call it."""
    __tracebackhide__ = True
    check_str("name", name, none=True)
    found = library_calls(fn, forbidden)
    if found:
        name = name or getattr(fn, "__name__", "your function")
        fail(name, f"uses {found[0]}" + (f" and {len(found) - 1} more" if len(found) > 1 else ""),
             f"your function (or a function it calls) uses {', '.join(found)}: the exercise is "
             "to compute the answer yourself, so the graded tests do not accept it.")
