"""Safe arithmetic for the `calculator` tool: a whitelist walk over Python's AST, never `eval`.

Numbers, + - * / // % ** (and `^` as power), parentheses, a few math functions and constants. Sizes are
bounded (expression length, exponent, result digits) so a request cannot burn the CPU or the memory.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import unicodedata
from collections.abc import Callable
from typing import Any

MAX_EXPRESSION = 500
MAX_EXPONENT = 10_000
# Integers past this many bits are refused: 2**10000 is fine, 9**9**9 is not.
MAX_INT_BITS = 40_000

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "floor": math.floor,
    "ceil": math.ceil,
    "factorial": math.factorial,
}
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}
# Symbols people type for operators (after NFKC folds full-width forms such as （）＋ to ASCII).
_SYMBOLS = str.maketrans({"×": "*", "÷": "/", "−": "-", "^": "**", "·": "*"})


class CalcError(ValueError):
    """The expression is not plain arithmetic, or its value is out of bounds."""


def normalise(expression: str) -> str:
    text = unicodedata.normalize("NFKC", expression).translate(_SYMBOLS)
    # "1,000,000" → 1000000 (a thousands separator between digit groups, not an argument separator)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return text.strip().rstrip("=?？").strip()


def evaluate(expression: str) -> int | float:
    """The value of `expression`; raises CalcError with a short reason."""
    text = normalise(expression)
    if not text:
        raise CalcError("empty expression")
    if len(text) > MAX_EXPRESSION:
        raise CalcError(f"expression longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise CalcError(f"not an arithmetic expression: {expression!r}") from None
    try:
        value = _eval(tree.body)
    except ZeroDivisionError:
        raise CalcError("division by zero") from None
    except (OverflowError, ValueError, TypeError) as e:
        if isinstance(e, CalcError):
            raise
        raise CalcError(str(e) or type(e).__name__) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CalcError("the result is not a number")
    return value


def format_number(value: int | float) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.12g}"
    return str(value)


def _eval(node: ast.AST) -> Any:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            if abs(right) > MAX_EXPONENT:
                raise CalcError(f"exponent larger than {MAX_EXPONENT}")
            # Refuse before computing: (10**9999)**9999 would take minutes to build, then be refused.
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() * right > MAX_INT_BITS:
                raise CalcError("the result is too large")
        return _bounded(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
        if node.keywords or len(node.args) > 10:
            raise CalcError(f"{node.func.id}() takes a few positional arguments")
        args = [_eval(a) for a in node.args]
        if node.func.id == "factorial" and (not args or abs(args[0]) > 1000):
            raise CalcError("factorial() is limited to 1000")
        return _bounded(_FUNCTIONS[node.func.id](*args))
    raise CalcError(
        f"unsupported element: {ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__}"
    )


def _bounded(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalcError("the result is too large")
    if isinstance(value, complex):
        raise CalcError("the result is not a real number")
    return value
