"""Small, safe expressions over the columns of a table, for configs.

Configs select rows (``where: Level == "Division"``), mark cells (``suppress``) and compute
columns (``derive: students: floor(count * 100 / percent + 0.5)``) with expressions. They come
from files a client or colleague sent, so they are data, never code: an expression is parsed
with :func:`ast.parse` and every node is checked against a short list before anything is
evaluated, then evaluated column-wise over pandas Series. Nothing else is reachable: no
attribute access (``x.y``), no subscripts (``x[0]``), no ``@`` variables, no lambdas,
comprehensions, f-strings or assignments, and only the functions listed in :data:`FUNCTIONS`.

What an expression may contain:

* column names, bare (``percent``) or in backticks when they have spaces or dots
  (```School Year```);
* numbers, text in quotes, ``True`` and ``False``;
* comparisons ``== != < <= > >=`` (chains such as ``0 < x <= 5`` too), ``in`` / ``not in``
  with a literal list (``Level in ["Division", "School"]``);
* ``and``, ``or``, ``not`` (also ``&``, ``|``, ``~``) on conditions;
* arithmetic ``+ - * / // % **`` on numbers (``+`` also joins text), unary minus, parentheses;
* the functions of :data:`FUNCTIONS`.

Limits keep a hostile expression cheap: at most :data:`MAX_LENGTH` characters,
:data:`MAX_NODES` syntax nodes, :data:`MAX_DEPTH` levels of nesting, and exponents given as
numbers at most :data:`MAX_EXPONENT` in size (``9**9**9`` is refused), and text constants of
at most :data:`MAX_TEXT` characters.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"Level": ["School", "Division"], "n": [10.0, 30.0]})
>>> evaluate('Level == "Division" and n > 20', table, key="where").tolist()
[False, True]
>>> evaluate("where(n > 20, n / 2, n)", table, key="derive.half").tolist()
[10.0, 15.0]
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import ExpressionError

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_TEXT",
    "Expression",
    "ExpressionError",
    "evaluate",
    "parse_expression",
]

#: Longest expression accepted, in characters.
MAX_LENGTH = 2000
#: Most syntax nodes (names, numbers, operators…) in one expression.
MAX_NODES = 400
#: Deepest nesting of operations in one expression.
MAX_DEPTH = 40
#: Largest exponent written as a number (``x ** 2`` is fine, ``9 ** 9 ** 9`` is not).
MAX_EXPONENT = 100
#: Longest text constant: a category label; longer ones would multiply memory per row.
MAX_TEXT = 100
_MAX_ROUND_DIGITS = 15

#: Functions an expression may call, with what each does.
FUNCTIONS: dict[str, str] = {
    "isnull": "isnull(x): true where x is missing",
    "notnull": "notnull(x): true where x is not missing",
    "floor": "floor(x): x rounded down to a whole number",
    "ceil": "ceil(x): x rounded up to a whole number",
    "round": "round(x, digits): x rounded to 0-15 decimal digits (default 0)",
    "abs": "abs(x): the absolute value of x",
    "min": "min(a, b, ...): the smallest of the values on each row, ignoring missing ones",
    "max": "max(a, b, ...): the largest of the values on each row, ignoring missing ones",
    "where": "where(condition, a, b): a on rows where the condition holds, b elsewhere",
    "quantile": "quantile(x, q): the q-quantile (0 ≤ q ≤ 1) of x over all rows, e.g. the median",
    "row_number": "row_number(): 1 for the first row, 2 for the second, ...",
}
_ARITY: dict[str, tuple[int, int]] = {
    "isnull": (1, 1), "notnull": (1, 1), "floor": (1, 1), "ceil": (1, 1), "round": (1, 2),
    "abs": (1, 1), "min": (2, 20), "max": (2, 20), "where": (3, 3), "quantile": (2, 2),
    "row_number": (0, 0),
}

_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult,
    ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitAnd, ast.BitOr, ast.UnaryOp, ast.USub,
    ast.UAdd, ast.Not, ast.Invert, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt,
    ast.GtE, ast.In, ast.NotIn, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
    ast.Call, ast.keyword,
)
#: What the most common refused constructs are called in messages.
_REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access (x.y)",
    ast.Subscript: "subscripts (x[...])",
    ast.Lambda: "lambda functions",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignments (:=)",
    ast.IfExp: "'a if c else b' (use where(c, a, b))",
    ast.Starred: "starred arguments (*x)",
    ast.Dict: "dictionaries",
    ast.Set: "sets (use a list in square brackets)",
    ast.MatMult: "the @ operator",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
    ast.LShift: "bit shifts",
    ast.RShift: "bit shifts",
    ast.BitXor: "the ^ operator",
}
_ARITHMETIC: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a ** b,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
#: What pandas' ``infer_dtype`` of a column of Python objects means here.
_INFERRED = {"string": "text", "empty": "text", "boolean": "bool", "integer": "number",
             "floating": "number", "mixed-integer-float": "number", "decimal": "number"}
_BACKTICK = re.compile(r"`([^`]*)`")
_CLOSE = 0.75


@dataclass(frozen=True)
class Expression:
    """A checked expression: safe to evaluate over any table.

    Attributes
    ----------
    text : str
        The expression as written.
    key : str
        Where it was written (a config key such as ``aggregate.sources.0.where``), for messages.
    names : tuple of str
        The columns it reads, each once.
    """

    text: str
    key: str
    names: tuple[str, ...]
    _tree: ast.Expression = field(repr=False)
    _columns: dict[str, str] = field(repr=False)  # placeholder → column written in backticks

    def check_columns(self, columns: Iterable[str], *, source: str = "the table") -> None:
        """Raise :class:`ExpressionError` if a name is not among ``columns``."""
        available = list(dict.fromkeys(str(c) for c in columns))
        for name in self.names:
            if name not in available:
                close = difflib.get_close_matches(name, available, n=1, cutoff=_CLOSE)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                shown = ", ".join(repr(c) for c in available[:30])
                more = f" and {len(available) - 30} more" if len(available) > 30 else ""
                raise self._error(f"reads column {name!r}, which {source} does not have{hint} "
                                  f"(columns: {shown}{more})")

    def values(self, frame: pd.DataFrame) -> pd.Series:
        """The expression on every row of ``frame`` (a single value is repeated)."""
        self.check_columns(frame.columns)
        with np.errstate(all="ignore"):
            try:
                return _as_series(_Evaluator(self, frame).run(self._tree.body), frame.index)
            except ExpressionError:
                raise
            except (TypeError, ValueError, ArithmeticError) as err:
                raise self._error(f"cannot be computed ({err})") from None

    def condition(self, frame: pd.DataFrame) -> pd.Series:
        """Whether the condition holds on each row (missing counts as not holding)."""
        result = self.values(frame)
        if not _is_bool(result):
            raise self._error("is not a condition (true or false on each row)")
        return result.astype("boolean").fillna(False).astype(bool)

    def _error(self, problem: str) -> ExpressionError:
        return ExpressionError(f"{self.key}: {self.text!r} {problem}")


def parse_expression(text: str, *, key: str = "expression") -> Expression:
    """Parse and check an expression without evaluating it.

    Parameters
    ----------
    text : str
        The expression.
    key : str
        Where it comes from (e.g. ``aggregate.sources.0.where``), named in every message
        (``""``: the caller adds it).

    Returns
    -------
    Expression

    Raises
    ------
    ExpressionError
        The expression is too long, not valid syntax, or uses anything not allowed; the
        message names the key, the expression and the part refused.

    Examples
    --------
    >>> parse_expression("`School Year` < '2019' and Level == 'Division'").names
    ('School Year', 'Level')
    >>> parse_expression("().__class__", key="where")
    Traceback (most recent call last):
    ...
    equitykit.errors.ExpressionError: where: '().__class__' uses attribute access (x.y), ...
    """
    if not isinstance(text, str):
        raise ExpressionError(f"{key}: expected an expression as text, got {text!r}")
    shown = text if len(text) <= 80 else text[:77] + "..."

    def fail(problem: str) -> ExpressionError:
        return ExpressionError(f"{key}: {shown!r} {problem}" if key else f"{shown!r} {problem}")

    if len(text) > MAX_LENGTH:
        raise fail(f"is too long ({len(text):,} characters; at most {MAX_LENGTH:,})")
    if not text.strip():
        raise fail("is empty")
    source, columns = _replace_backticks(text)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        if "@" in source:
            raise fail("uses '@', which is not allowed: expressions see only the table's "
                       "columns") from None
        detail = getattr(err, "msg", None) or str(err)
        raise fail(f"is not a valid expression ({detail})") from None
    names = _check(tree, fail)
    used = tuple(dict.fromkeys(columns.get(n, n) for n in names))
    return Expression(text=text, key=key, names=used, _tree=tree, _columns=columns)


def evaluate(text: str, frame: pd.DataFrame, *, key: str = "expression") -> pd.Series:
    """Parse, check and evaluate an expression over the rows of ``frame``.

    Raises
    ------
    ExpressionError
        As :func:`parse_expression`, or a column is unknown, or the values do not fit the
        operation (e.g. arithmetic on text).
    """
    return parse_expression(text, key=key).values(frame)


# --- checking --------------------------------------------------------------------------------


def _replace_backticks(text: str) -> tuple[str, dict[str, str]]:
    """Backticked column names as plain identifiers that cannot clash with the text."""
    columns: dict[str, str] = {}
    stem = "_col"
    while stem in text:
        stem += "_"

    def name(match: re.Match[str]) -> str:
        placeholder = f"{stem}{len(columns)}"
        columns[placeholder] = match.group(1)
        return placeholder

    return _BACKTICK.sub(name, text), columns


def _check(tree: ast.Expression, fail: Callable[[str], ExpressionError]) -> list[str]:
    """Refuse anything outside the whitelist; the column names read, in order."""
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise fail(f"is too complex ({len(nodes)} parts; at most {MAX_NODES})")
    depth = {tree: 0}
    for node in nodes:
        for child in ast.iter_child_nodes(node):
            depth[child] = depth[node] + 1
            if depth[child] > MAX_DEPTH:
                raise fail(f"is nested too deeply (more than {MAX_DEPTH} levels)")
    calls = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    literal_lists = {id(c) for n in nodes if isinstance(n, ast.Compare)
                     for op, c in zip(n.ops, n.comparators, strict=True)
                     if isinstance(op, ast.In | ast.NotIn)}
    for node in nodes:
        if not isinstance(node, _NODES):
            what = _REFUSED.get(type(node), f"'{type(node).__name__}'")
            raise fail(f"uses {what}, which is not allowed")
        if isinstance(node, ast.Name) and (node.id.startswith("__") or node.id.endswith("__")):
            raise fail(f"uses the name {node.id!r}: names with double underscores are not "
                       "allowed")
    names: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Name):
            if id(node) in calls:
                continue
            if node.id in FUNCTIONS:
                raise fail(f"uses the function {node.id!r} without calling it")
            names.append(node.id)
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, str | int | float):
                raise fail(f"uses the value {node.value!r}; only numbers, text, True and "
                           "False are allowed")
            if isinstance(node.value, str) and len(node.value) > MAX_TEXT:
                raise fail(f"uses a text of {len(node.value):,} characters; at most "
                           f"{MAX_TEXT} (a label, not a document)")
        elif isinstance(node, ast.Call):
            _check_call(node, fail)
        elif isinstance(node, ast.List | ast.Tuple) and id(node) not in literal_lists:
            raise fail("uses a list outside 'in [...]'")
        elif isinstance(node, ast.List | ast.Tuple):
            if not all(_literal(e) for e in node.elts):
                raise fail("uses 'in [...]' with something other than numbers and text in the "
                           "list")
        elif isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In | ast.NotIn) and not isinstance(right, ast.List
                                                                          | ast.Tuple):
                    raise fail("uses 'in' without a list: write x in [\"a\", \"b\"]")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exponent = _literal_number(node.right)
            if exponent is not None and abs(exponent) > MAX_EXPONENT:
                raise fail(f"raises to the power {exponent:g}; exponents are limited to "
                           f"{MAX_EXPONENT}")
            if exponent is None and not _power_safe(node.right):
                raise fail("raises to a computed power (as in 9**9**9); write the exponent "
                           "as a number or a column name")
    return names


def _check_call(node: ast.Call, fail: Callable[[str], ExpressionError]) -> None:
    if not isinstance(node.func, ast.Name):
        raise fail("calls something that is not a function name, which is not allowed")
    name = node.func.id
    if name not in FUNCTIONS:
        close = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=_CLOSE)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise fail(f"calls {name!r}, which is not allowed{hint}; functions: "
                   + ", ".join(FUNCTIONS))
    if node.keywords:
        raise fail(f"passes a named argument to {name}(); give arguments by position")
    low, high = _ARITY[name]
    if not low <= len(node.args) <= high:
        raise fail(f"calls {name}() with {len(node.args)} argument(s); usage: {FUNCTIONS[name]}")
    if name == "round" and len(node.args) == 2:
        digits = _literal_number(node.args[1])
        if digits is None or digits != int(digits) or not 0 <= digits <= _MAX_ROUND_DIGITS:
            raise fail(f"calls round() with digits that are not a whole number 0-"
                       f"{_MAX_ROUND_DIGITS}")
    if name == "quantile":
        q = _literal_number(node.args[1])
        if q is None or not 0 <= q <= 1:
            raise fail("calls quantile() with q that is not a number between 0 and 1")


def _literal(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str | int | float)) or \
        _literal_number(node) is not None


def _literal_number(node: ast.AST) -> float | None:
    """A number written in the expression (``2``, ``-0.5``), else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
            and not isinstance(node.value, bool):
        try:
            return sign * float(node.value)
        except OverflowError:
            return float("inf")
    return None


def _power_safe(node: ast.AST) -> bool:
    """An exponent that is a column (evaluated as floats, so it cannot blow up)."""
    return isinstance(node, ast.Name)


# --- evaluating ------------------------------------------------------------------------------


class _Evaluator:
    """Walks a checked tree; every value is a Series on the table's index or a scalar."""

    def __init__(self, expression: Expression, frame: pd.DataFrame) -> None:
        self.expression, self.frame = expression, frame

    def run(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            value = node.value
            return float(value) if isinstance(value, int) and not isinstance(value, bool) \
                else value
        if isinstance(node, ast.Name):
            return self.frame[self.expression._columns.get(node.id, node.id)]
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.BoolOp):
            values = [self._condition(v) for v in node.values]
            result = values[0]
            for value in values[1:]:
                result = (result & value) if isinstance(node.op, ast.And) else (result | value)
            return result
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise self._error(node, "cannot be evaluated")  # pragma: no cover - checked earlier

    def _unary(self, node: ast.UnaryOp) -> Any:
        if isinstance(node.op, ast.Not | ast.Invert):
            value = self._condition(node.operand)
            return ~value if isinstance(value, pd.Series) else not value
        value = self._number(node.operand)
        return -value if isinstance(node.op, ast.USub) else value

    def _binary(self, node: ast.BinOp) -> Any:
        if isinstance(node.op, ast.BitAnd | ast.BitOr):
            left, right = self._condition(node.left), self._condition(node.right)
            return (left & right) if isinstance(node.op, ast.BitAnd) else (left | right)
        left, right = self.run(node.left), self.run(node.right)
        if isinstance(node.op, ast.Add) and _is_text(left) and _is_text(right):
            return left + right
        left = self._require_number(node.left, left)
        right = self._require_number(node.right, right)
        if isinstance(left, float) and isinstance(right, float):
            try:
                return _ARITHMETIC[type(node.op)](left, right)
            except ZeroDivisionError:
                return float("nan")
            except OverflowError:
                return float("inf")
        return _ARITHMETIC[type(node.op)](left, right)

    def _compare(self, node: ast.Compare) -> Any:
        result: Any = True
        left_node, left = node.left, self.run(node.left)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                options = [self.run(e) for e in right_node.elts]
                part = left.isin(options) if isinstance(left, pd.Series) else left in options
                if isinstance(op, ast.NotIn):
                    part = ~part if isinstance(part, pd.Series) else not part
                right = None
            else:
                right = self.run(right_node)
                if _kind(left) != _kind(right) and "other" not in (_kind(left), _kind(right)):
                    raise self.expression._error(
                        f"compares {self._describe(left_node, left)} with "
                        f"{self._describe(right_node, right)}")
                part = _COMPARE[type(op)](left, right)
            part = _missing_stays_missing(part, left, right)
            result = part if result is True else (result & part)
            left_node, left = right_node, right
        return result

    def _call(self, node: ast.Call) -> Any:
        name = node.func.id  # type: ignore[attr-defined]
        args = node.args
        if name == "row_number":
            return pd.Series(np.arange(1, len(self.frame) + 1, dtype="float64"),
                             index=self.frame.index)
        if name in ("isnull", "notnull"):
            value = self.run(args[0])
            missing = value.isna() if isinstance(value, pd.Series) else bool(pd.isna(value))
            return missing if name == "isnull" else ~missing if isinstance(missing, pd.Series) \
                else not missing
        if name == "where":
            condition = _as_series(self._condition(args[0]), self.frame.index)
            a = _as_series(self.run(args[1]), self.frame.index)
            b = _as_series(self.run(args[2]), self.frame.index)
            return a.where(condition.astype("boolean").fillna(False).astype(bool), b)
        if name in ("min", "max"):
            values = [_as_series(self._number(a), self.frame.index) for a in args]
            table = pd.concat(values, axis=1)
            return table.min(axis=1) if name == "min" else table.max(axis=1)
        value = self._number(args[0])
        if name == "quantile":
            q = _literal_number(args[1])
            series = _as_series(value, self.frame.index).astype("float64")
            return float(series.quantile(q))
        if name == "round":
            digits = int(_literal_number(args[1]) or 0) if len(args) == 2 else 0
            return value.round(digits) if isinstance(value, pd.Series) else round(value, digits)
        function = {"floor": np.floor, "ceil": np.ceil, "abs": np.abs}[name]
        return function(value)

    def _condition(self, node: ast.AST) -> Any:
        value = self.run(node)
        if not _is_bool(value):
            raise self._error(node, "is not a condition (true or false on each row)")
        if isinstance(value, pd.Series):
            return value.astype("boolean")
        return value

    def _number(self, node: ast.AST) -> Any:
        return self._require_number(node, self.run(node))

    def _require_number(self, node: ast.AST, value: Any) -> Any:
        if _kind(value) == "number":
            return value.astype("float64") if isinstance(value, pd.Series) else float(value)
        raise self._error(node, f"is {_kind_words(value)}, not a number")

    def _describe(self, node: ast.AST, value: Any) -> str:
        return f"{self._show(node)} ({_kind_words(value)})"

    def _show(self, node: ast.AST) -> str:
        text = ast.unparse(node)
        for placeholder, column in self.expression._columns.items():
            text = re.sub(rf"\b{re.escape(placeholder)}\b", f"`{column}`", text)
        return text

    def _error(self, node: ast.AST, problem: str) -> ExpressionError:
        return ExpressionError(f"{self.expression.key}: in {self.expression.text!r}, "
                               f"{self._show(node)} {problem}")


def _missing_stays_missing(result: Any, *sides: Any) -> Any:
    """A comparison is unknown (NA) on rows where a side is missing, never False."""
    if not isinstance(result, pd.Series):
        return result
    missing = np.zeros(len(result), dtype=bool)
    for side in sides:
        if isinstance(side, pd.Series):
            missing |= side.isna().to_numpy(dtype=bool)
    return result.astype("boolean").mask(missing) if missing.any() else result


def _kind(value: Any) -> str:
    if isinstance(value, pd.Series):
        if pd.api.types.is_bool_dtype(value.dtype):
            return "bool"
        if pd.api.types.is_numeric_dtype(value.dtype):
            return "number"
        if value.dtype == object:
            return _INFERRED.get(pd.api.types.infer_dtype(value, skipna=True), "other")
        return "text" if pd.api.types.is_string_dtype(value.dtype) else "other"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.number):
        return "number"
    if isinstance(value, str):
        return "text"
    return "other"


def _kind_words(value: Any) -> str:
    return {"bool": "true/false", "number": "a number", "text": "text",
            "other": "mixed values"}[_kind(value)]


def _is_bool(value: Any) -> bool:
    return _kind(value) == "bool"


def _is_text(value: Any) -> bool:
    return _kind(value) == "text"


def _as_series(value: Any, index: pd.Index) -> pd.Series:
    if isinstance(value, pd.Series):
        return value
    return pd.Series([value] * len(index), index=index, dtype=None if len(index) else object)

