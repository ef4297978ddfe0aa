"""YAML loading that remembers line numbers, so data errors can name the line."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crossdeal.errors import DataFileError

if TYPE_CHECKING:
    import yaml


class LineDict(dict[str, Any]):
    """A mapping from a YAML file, with the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: object) -> int:
        return self.key_lines.get(str(key), self.line)


class LineList(list[Any]):
    """A sequence from a YAML file, with the 1-based line of itself and of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


@functools.cache
def _loader() -> type[yaml.SafeLoader]:
    """The loader that records lines (PyYAML loads only when a file is read: the compiled
    caches spare most commands reading any)."""
    import yaml

    try:  # the C parser is several times faster; fall back when libyaml is absent
        base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        base = yaml.SafeLoader

    class LineLoader(base):  # type: ignore[valid-type,misc]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
            self.flatten_mapping(node)
            mapping = LineDict()
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) and key is not None:
                    raise yaml.constructor.ConstructorError(
                        None, None, "a key must be plain text", key_node.start_mark
                    )
                text_key = str(key) if key is not None else "null"
                if text_key in mapping:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {text_key!r} appears twice", key_node.start_mark
                    )
                mapping[text_key] = self.construct_object(value_node, deep=True)
                mapping.key_lines[text_key] = key_node.start_mark.line + 1
            return mapping

        def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
            sequence = LineList(self.construct_object(child, deep=True) for child in node.value)
            sequence.line = node.start_mark.line + 1
            sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
            return sequence

    LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader.construct_mapping)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", LineLoader.construct_sequence)
    return LineLoader


# a data file (rules, models, practices, mappings) larger than this is refused unread
MAX_DATA_BYTES = 50_000_000


def load_yaml(
    path: Path, text: str | None = None, error: type[DataFileError] = DataFileError
) -> Any:
    """Parse one YAML document; syntax errors become ``error`` with the file and line."""
    if text is None:
        try:
            if path.exists() and not path.is_file():
                raise error("is not a regular file (a folder, a device or a pipe?)", path)
            if path.exists() and path.stat().st_size > MAX_DATA_BYTES:
                raise error(f"is larger than {MAX_DATA_BYTES // 1_000_000} MB", path)
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise error("file not found", path) from None
        except UnicodeDecodeError as exc:
            raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None
        except OSError as exc:
            raise error(f"cannot be read ({exc.strerror})", path) from None
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"invalid YAML: {problem}", path, line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", path) from None
