"""One set of readers for the values in user files: session files (JSON), lessons (TOML) and presets.

A file may come from anyone, so every value is type-checked before a scene sees it, and every
refusal is a ReadError with one sentence naming the place ('scene.h', 'plane.starts[1][0]') and
what was found there. Readers are chosen by the type of a dataclass field (`Readers.for_fields`):
float -> a number, int -> a whole number, tuple[float, float] -> [A, B], X | None -> null or X, ...
so a new field of a scene is read without a new hand-written reader. What a type cannot say (the
equation, the choices of a field, how many items a list may hold) is given as an override.

Conventions, the same in every format:
  * places are in single quotes ('scene.x_range[1]'), user text in double quotes as the file
    writes it ("x^2"), both clipped with one "…" so a message stays one short line;
  * numbers must be finite and at most `Readers.max_number` in size (booleans are not numbers);
    a whole number may be written 30 or 30.0;
  * text must be valid Unicode (a lone surrogate escape cannot be saved again).

Nothing here evaluates text: equations are checked by the expression parser (`check_equation`).
"""
from __future__ import annotations

import json
import math
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from .ranges import range_problem

__all__ = ["ELLIPSIS", "MAX_EQUATION", "MAX_ITEMS", "MAX_NAME", "MAX_NUMBER", "MAX_PARAMS", "FieldReader",
           "ReadError", "Readers", "check_equation", "clip", "is_encodable", "loads_json", "quote", "show",
           "size_text"]

T = TypeVar("T")
FieldReader = Callable[[object, str], Any]   # (value from the file, its place) -> the checked value

MAX_NUMBER = 1e12         # beyond this no number a person writes into a lesson or a preset is meaningful
MAX_EQUATION = 500        # the expression parser's own limit (expressions.MAX_LENGTH)
MAX_NAME = 200            # a preset's name, a title
MAX_PARAMS = 64           # more sliders than any equation of 500 characters could use
MAX_ITEMS = 1000          # a list read by type alone (fields with a real limit say so)
MAX_PARAMETER_NAME = 16
ELLIPSIS = "…"            # the one mark of clipped text in every message
_MAX_INT_DIGITS = 308     # 10^308 still converts to a float; beyond it nothing is meaningful
_MAX_FLOAT_CHARS = 400    # no float needs more; also keeps float() from chewing on megabytes


class ReadError(ValueError):
    """A value in a file that cannot be used, with one sentence saying what and where."""


# ------------------------------------------------------------------------------------- messages
def clip(text: str, limit: int = 60) -> str:
    """`text` cut to at most `limit` characters, the cut marked by one "…"."""
    return text if len(text) <= limit else text[:max(limit - 1, 0)] + ELLIPSIS


def show(place: object) -> str:
    """A place or key for a message: in single quotes, control characters escaped, clipped."""
    text = repr(place)[1:-1] if isinstance(place, str) else repr(place)
    return "'" + clip(text, 40) + "'"


def quote(text: object, limit: int = 60) -> str:
    """User text for a message: in double quotes, clipped, unprintable characters escaped."""
    text = text if isinstance(text, str) else repr(text)
    return '"' + "".join(c if c.isprintable() else repr(c)[1:-1] for c in clip(text, limit)) + '"'


def size_text(size: int) -> str:
    """A file size for a message, rounded up so it never reads as the limit it passed: whole KB
    below 10 MB ("1,025 KB"; exactly 1 MiB is "1 MB"), whole MB above."""
    if size % (1 << 20) == 0:
        return f"{size >> 20:,} MB"
    if size < 10 << 20:
        return f"{-(-size // 1024):,} KB"
    return f"{-(-size // (1 << 20)):,} MB"


def is_encodable(text: str) -> bool:
    """False for lone surrogates ("\\ud800" in JSON): they decode but cannot be saved again."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _an(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


# ----------------------------------------------------------------------------------- the readers
@dataclass(frozen=True)
class Readers:
    """The field readers of one file format: its word for {...} and its largest number.

    JSON files say "object", TOML files "table". A session may hold any number a scene accepts, so
    it reads with `max_number=sys.float_info.max`; lessons and presets keep the default.
    """

    mapping: str = "object"
    params_example: str = '{"a": 1.5}'
    max_number: float = MAX_NUMBER

    def __post_init__(self) -> None:
        if not 0 < self.max_number <= sys.float_info.max:
            raise ValueError("max_number must be a positive finite float")

    # ---------------------------------------------------------------------------- what was found
    def found(self, value: object) -> str:
        """A value as the file wrote it, briefly: null, true, -1, the text "0.5", a list of 3 items."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            if abs(value) < 10 ** 20:
                return str(value)
            digits = len(str(abs(value))) if abs(value) < 10 ** 60 else 0   # str() of 5000 digits raises
            return f"a number of {digits or 'over 60'} digits"
        if isinstance(value, float):
            return clip(repr(value), 40)
        if isinstance(value, str):
            return f"the text {quote(value, 40)}"
        if isinstance(value, (list, tuple)):
            return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}" if value else "an empty list"
        if isinstance(value, Mapping):
            return _an(self.mapping)
        return _an(type(value).__name__)   # TOML dates and times

    def _refuse(self, where: str, should: str, value: object) -> ReadError:
        return ReadError(f"{show(where)} must be {should} (found {self.found(value)})")

    def _too_large(self, where: str, value: object) -> ReadError:
        return ReadError(f"{show(where)} is too large: at most {self.max_number:g} (found {self.found(value)})")

    # ------------------------------------------------------------------------------------ numbers
    def number(self, value: object, where: str) -> float:
        """A finite number (int or float, not a boolean) of size at most max_number, as a float."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._refuse(where, "a number", value)
        if isinstance(value, float) and not math.isfinite(value):
            raise self._refuse(where, "a finite number", value)
        if abs(value) > self.max_number:   # exact for any int: no float() that could overflow
            raise self._too_large(where, value)
        return float(value)

    def whole(self, value: object, where: str) -> int:
        """A whole number of size at most max_number; 30.0 is 30 (JSON does not tell them apart)."""
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            if abs(value) > self.max_number:
                raise self._too_large(where, value)
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._refuse(where, "a whole number", value)
        if abs(value) > self.max_number:
            raise self._too_large(where, value)
        return value

    def boolean(self, value: object, where: str) -> bool:
        if not isinstance(value, bool):
            raise self._refuse(where, "true or false", value)
        return value

    # --------------------------------------------------------------------------------------- text
    def text(self, value: object, where: str, limit: int = MAX_NAME, required: bool = False,
             tidy: Callable[[str], str] | None = None) -> str:
        """Text of at most `limit` characters (after `tidy`), non-empty if `required`."""
        if not isinstance(value, str):
            raise self._refuse(where, "text in quotes", value)
        if len(value) > 4 * limit + 1000:   # far too long whatever tidy() would remove: do not tidy it
            raise ReadError(f"{show(where)} is too long ({len(value)} characters; at most {limit})")
        text = tidy(value) if tidy is not None else value
        if required and not text:
            raise ReadError(f"{show(where)} is empty")
        if len(text) > limit:
            raise ReadError(f"{show(where)} is too long ({len(text)} characters; at most {limit})")
        if not is_encodable(text):
            raise ReadError(f"{show(where)} holds text that is not valid Unicode (a lone surrogate escape)")
        return text

    def name(self, value: object, where: str) -> str:
        """A name (a preset's, say): text of at most MAX_NAME characters, kept as written."""
        return self.text(value, where, MAX_NAME)

    def line(self, value: object, where: str, limit: int = MAX_NAME, required: bool = True) -> str:
        """One line of text: runs of white space (newlines too) become one space."""
        return self.text(value, where, limit, required, lambda v: " ".join(v.split()))

    def paragraphs(self, value: object, where: str, limit: int, required: bool = True) -> str:
        """Text whose line breaks matter (blank lines separate paragraphs); only the ends are trimmed."""
        return self.text(value, where, limit, required, str.strip)

    def equation(self, value: object, where: str) -> str:
        """An equation's text (checked here for type and length only; `check_equation` parses it)."""
        if not isinstance(value, str):
            raise self._refuse(where, 'an equation in quotes, like "x^2/2 - x^3/3"', value)
        return self.text(value, where, MAX_EQUATION)

    def choice(self, options: Iterable[str]) -> FieldReader:
        """A reader of one of `options` (text, compared exactly)."""
        options = tuple(options)
        listed = " or ".join(json.dumps(o) for o in options) if len(options) <= 2 else \
            "one of " + ", ".join(json.dumps(o) for o in options)

        def read(value: object, where: str) -> str:
            if not isinstance(value, str) or value not in options:
                raise self._refuse(where, listed, value)
            return value
        return read

    # ---------------------------------------------------------------------------------- compounds
    def pair(self, value: object, where: str) -> tuple[float, float]:
        if not (isinstance(value, list) and len(value) == 2):
            raise self._refuse(where, "a list of two numbers [A, B]", value)
        return (self.number(value[0], f"{where}[0]"), self.number(value[1], f"{where}[1]"))

    def plot_range(self, value: object, where: str) -> tuple[float, float]:
        """[A, B] that a plot can show: the one rule of every plotted range (ranges.check_range)."""
        a, b = self.pair(value, where)
        problem = range_problem(a, b, show(where))
        if problem is not None:
            raise ReadError(problem)
        return a, b

    def optional(self, reader: FieldReader) -> FieldReader:
        """null (None), or what `reader` reads."""
        def read(value: object, where: str) -> Any:
            return None if value is None else reader(value, where)
        return read

    def list_of(self, item: FieldReader, what: str, min_items: int = 0, max_items: int = MAX_ITEMS) -> FieldReader:
        """A list of `min_items` to `max_items` values, each read by `item` ('where[i]')."""
        def read(value: object, where: str) -> tuple:
            if not isinstance(value, list) or len(value) < min_items:
                least = f", at least {min_items}" if isinstance(value, list) else ""
                raise self._refuse(where, f"a list of {what}{least}", value)
            if len(value) > max_items:
                raise ReadError(f"{show(where)} may hold at most {max_items} {what} (found {len(value)})")
            return tuple(item(v, f"{where}[{i}]") for i, v in enumerate(value))
        return read

    def params(self, value: object, where: str) -> tuple[tuple[str, float], ...]:
        """The values of an equation's free parameters, {name: number}, as a sorted tuple of pairs."""
        if not isinstance(value, Mapping):
            raise self._refuse(where, f"{_an(self.mapping)} of name: number, like {self.params_example}", value)
        if len(value) > MAX_PARAMS:
            raise ReadError(f"{show(where)} has too many parameters ({len(value)}; at most {MAX_PARAMS})")
        out = []
        for name, number in value.items():
            # The parser's parameter names: one Latin letter or a Greek letter's name, ASCII letters.
            if not (isinstance(name, str) and name.isascii() and name.isalpha()
                    and len(name) <= MAX_PARAMETER_NAME):
                raise ReadError(f"{show(where)} has the parameter name {quote(name, 20)}; "
                                f"names are letters, like a or lambda")
            out.append((name, self.number(number, f"{where}.{name}")))
        return tuple(sorted(out))

    # ------------------------------------------------------------------------------- by the types
    def for_type(self, tp: Any) -> FieldReader:
        """The reader for a field of type `tp`; TypeError for a type without one (a programming error)."""
        if tp is bool:
            return self.boolean
        if tp is int:
            return self.whole
        if tp is float:
            return self.number
        if tp is str:
            return self.name
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin in (types.UnionType, typing.Union) and type(None) in args:
            rest = tuple(a for a in args if a is not type(None))
            if len(rest) == 1:
                return self.optional(self.for_type(rest[0]))
        if origin is tuple:
            if args == (float, float):
                return self.pair
            if len(args) == 2 and args[1] is Ellipsis:
                if args[0] == tuple[str, float]:        # name -> value, written {"a": 1.5}
                    return self.params
                item = self.for_type(args[0])
                what = {float: "numbers", int: "whole numbers", str: "names",
                        tuple[float, float]: "pairs [A, B]"}.get(args[0], "values")
                return self.list_of(item, what)
        raise TypeError(f"no reader for the type {tp!r}")

    def for_fields(self, cls: type, overrides: Mapping[str, FieldReader] | None = None,
                   exclude: Iterable[str] = ()) -> dict[str, FieldReader]:
        """A reader for every field of the dataclass `cls` (but `exclude`): `overrides[name]`, else
        the reader of the field's type."""
        hints = typing.get_type_hints(cls)
        overrides = dict(overrides or {})
        skip = set(exclude)
        unknown = (set(overrides) | skip) - set(hints)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        return {f.name: overrides[f.name] if f.name in overrides else self.for_type(hints[f.name])
                for f in fields(cls) if f.name not in skip}

    # ----------------------------------------------------------------------------------- sections
    def check_keys(self, table: Mapping[Any, object], known: Iterable[str], owner: str, prefix: str = "") -> None:
        """ReadError for the first key of `table` not in `known`, with the closest known key as a hint."""
        import difflib  # only when a key is refused
        known = tuple(known)
        for key in table:
            if key not in known:
                text = key if isinstance(key, str) else repr(key)
                hint = difflib.get_close_matches(text, known, n=1, cutoff=0.6)
                raise ReadError(f"{owner} has an unknown key {quote(prefix + text, 40)}"
                                + (f" (did you mean {quote(prefix + hint[0])}?)" if hint else
                                   f"; the keys are: {', '.join(known)}"))

    def read_fields(self, raw: object, readers: Mapping[str, FieldReader], owner: str, *, prefix: str = "",
                    required: Iterable[str] = (), on_unknown: Callable[[str], None] | None = None,
                    hint: str = "") -> dict[str, Any]:
        """The keys of the mapping `raw`, each read by its reader, as {key: value}.

        `owner` names the mapping in messages ("'plane'", "the preset"); a key's place is
        `prefix + key`. A key in `required` must be there. A key without a reader is refused,
        unless `on_unknown` is given: it is then told the key, which is skipped.
        """
        if not isinstance(raw, Mapping):
            raise ReadError(f"{owner} must be {_an(self.mapping)}{hint} (found {self.found(raw)})")
        for key in required:
            if key not in raw:
                raise ReadError(f"{owner} has no {show(key)}")
        if on_unknown is None:
            self.check_keys(raw, readers, owner, prefix)
        values: dict[str, Any] = {}
        for key, value in raw.items():
            reader = readers.get(key) if isinstance(key, str) else None
            if reader is None:
                if on_unknown is not None:
                    on_unknown(key)
                continue
            values[key] = reader(value, prefix + key)
        return values

    @staticmethod
    def build(section: str, cls: Callable[..., T], values: Mapping[str, Any], base: T | None = None) -> T:
        """`cls(**values)` or `base` with `values` changed, its own checks run; ReadError with
        their sentence ("the plane settings are not valid: ...") when they fail."""
        try:
            return replace(base, **values) if base is not None else cls(**values)
        except (ValueError, TypeError) as error:
            raise ReadError(f"the {section} settings are not valid: {clip(str(error), 300)}") from None


# --------------------------------------------------------------------------------------- equations
def check_equation(text: str, variables: tuple[str, ...], what: str, allow_parameters: bool = True) -> None:
    """ReadError("{what} "x^^2" does not parse: ...") unless the parser accepts `text` (never evaluated)."""
    # Imported here: the parser brings in sympy, which the window loads lazily.
    from .expressions import ExpressionError, parse
    try:
        parse(text, variables, allow_parameters=allow_parameters)
    except ExpressionError as error:
        raise ReadError(f"{what} {quote(text)} does not parse: {error.message}") from None


# -------------------------------------------------------------------------------------------- JSON
def loads_json(text: str) -> object:
    """JSON text as Python values, strictly: NaN and Infinity, numbers beyond float range (1e400),
    whole numbers of more than 308 digits and a key repeated within one object are refused, and so
    is nesting too deep for the parser. Any failure is a ReadError."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_int=_int_literal,
                          parse_float=_float_literal, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        raise ReadError(f"the file is not valid JSON ({error.msg} at line {error.lineno}, "
                        f"column {error.colno})") from None
    except ReadError:
        raise
    except RecursionError:
        raise ReadError("the file is nested too deeply") from None
    except ValueError as error:  # e.g. int() past its digit limit, should a literal slip past _int_literal
        raise ReadError(f"the file is not valid JSON ({clip(str(error), 100)})") from None


def _no_constant(name: str) -> float:
    raise ReadError(f"the file contains {name}, which is not a number JSON allows")


def _int_literal(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        raise ReadError(f"the file contains a whole number of {digits} digits, too large for gdviz")
    return int(literal)


def _float_literal(literal: str) -> float:
    if len(literal) > _MAX_FLOAT_CHARS:
        raise ReadError(f"the file contains a number written with {len(literal)} characters, too long for gdviz")
    value = float(literal)
    if not math.isfinite(value):
        raise ReadError(f"the file contains the number {clip(literal, 40)}, too large for gdviz")
    return value


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:   # which one would the user mean? refuse rather than guess
            raise ReadError(f"the key {show(key)} appears twice in one object")
        out[key] = value
    return out
