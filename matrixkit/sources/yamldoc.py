"""Read YAML into plain data, remembering the line of every key so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from matrixkit.errors import YamlSyntaxError
from matrixkit.model.problems import Problem

Loc = tuple[str | int, ...]


def format_path(loc: Loc) -> str:
    """``("competencies", 3, "descriptions", "IC4")`` → ``competencies[3].descriptions.IC4``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus a map from each key path to the line (1-based) where it stands."""

    data: Any
    file: str
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest ancestor that has one."""
        key = _normalise(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def problem(self, loc: Loc, message: str, *, severity: str = "error", **extra: Any) -> Problem:
        return Problem(
            severity,  # type: ignore[arg-type]
            message,
            file=self.file,
            path=format_path(loc) or None,
            line=self.line_of(loc),
            **extra,
        )


def _normalise(loc: Loc) -> Loc:
    return tuple(part if isinstance(part, int) else str(part) for part in loc)


def read_yaml(path: str | Path) -> YamlDocument:
    """Parse a YAML file; raise `YamlSyntaxError` with one clear message naming the line."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlSyntaxError(Problem("error", "file not found", file=file, code="file")) from None
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(
            Problem("error", f"not UTF-8 text (byte {exc.start})", file=file, code="yaml-syntax")
        ) from None
    except OSError as exc:
        raise YamlSyntaxError(Problem("error", exc.strerror or str(exc), file=file, code="file")) from None
    return parse_yaml(text, file)


# LibYAML's parser when PyYAML was built with it (ten times faster); the same nodes and marks either way.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, file: str) -> YamlDocument:
    tab_line = _tab_indented_line(text)
    if tab_line is not None:
        raise YamlSyntaxError(
            Problem(
                "error",
                "a tab is used for indentation; YAML indents with spaces only",
                file=file,
                line=tab_line,
                code="yaml-syntax",
            )
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, file)
        lines: dict[Loc, int] = {}
        _index_lines(node, (), lines, file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}, {message}"
        raise YamlSyntaxError(
            Problem(
                "error",
                f"YAML syntax: {message}",
                file=file,
                line=mark.line + 1 if mark else None,
                code="yaml-syntax",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem("error", f"YAML syntax: {exc}", file=file, code="yaml-syntax")) from None
    finally:
        loader.dispose()
    return YamlDocument(data, file, lines)


def _tab_indented_line(text: str) -> int | None:
    in_block_scalar = False
    block_indent = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if in_block_scalar:
            if stripped.strip() == "" or indent > block_indent:
                continue
            in_block_scalar = False
        if stripped.startswith("\t"):
            return number
        content = stripped.split(" #", 1)[0].rstrip()
        if content.endswith(("|", ">", "|-", ">-", "|+", ">+")):
            in_block_scalar, block_indent = True, indent
    return None


def _index_lines(node: yaml.Node, loc: Loc, lines: dict[Loc, int], file: str) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YamlSyntaxError(
                    Problem(
                        "error",
                        f"duplicate key '{key}' (first on line {seen[key]}); YAML would silently keep "
                        "only the last one",
                        file=file,
                        path=format_path(loc) or None,
                        line=line,
                        code="yaml-syntax",
                    )
                )
            seen[key] = line
            lines[(*loc, key)] = line
            _index_lines(value_node, (*loc, key), lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*loc, index), lines, file)
