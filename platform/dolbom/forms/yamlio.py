"""YAML in and out for form definitions: loading keeps each value's line number (so errors
can say `kfrail.yaml:42`), refuses duplicate keys, and leaves dates as text; dumping is
canonical, so export → import → export gives the same text."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

Path = tuple[str | int, ...]


class YamlProblem(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"{line}행: {message}" if line else message)


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (we parse them with messages of our own) and refuses
    aliases: a definition never needs them, and nested aliases expand exponentially (a few
    hundred bytes can take minutes to load)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlProblem(event.start_mark.line + 1, "별칭(*)과 앵커(&)는 쓸 수 없습니다")
        return super().compose_node(parent, index)


# Dates stay text, and only true/false are booleans (YAML 1.2): an option valued `yes` or `no`
# must not turn into a boolean behind the administrator's back.
_Loader.yaml_implicit_resolvers = {
    key: [
        r
        for r in resolvers
        if r[0] not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def load(text: str) -> tuple[Any, dict[Path, int]]:
    """The document and the 1-based line of every value by its path."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # control characters are refused before parsing
        line = text.count("\n", 0, exc.position) + 1
        message = f"YAML 형식 오류: 쓸 수 없는 글자(#x{exc.character:04x})가 있습니다"
        raise YamlProblem(line, message) from exc
    lines: dict[Path, int] = {}
    try:
        try:
            node = loader.get_single_node()
        except RecursionError as exc:
            raise YamlProblem(None, "YAML이 너무 깊게 중첩되어 있습니다") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            raise YamlProblem(
                mark.line + 1 if mark else None, f"YAML 형식 오류: {problem}"
            ) from exc
        if node is None:
            return None, lines

        def build(n: Node, path: Path) -> Any:
            lines[path] = n.start_mark.line + 1
            if isinstance(n, MappingNode):
                out: dict[Any, Any] = {}
                for key_node, value_node in n.value:
                    key = loader.construct_object(key_node, deep=True)
                    if not isinstance(key, str | int) or isinstance(key, bool):
                        raise YamlProblem(key_node.start_mark.line + 1, "키는 글자여야 합니다")
                    key = str(key)
                    if key in out:
                        raise YamlProblem(
                            key_node.start_mark.line + 1, f"키 '{key}'가 두 번 있습니다"
                        )
                    out[key] = build(value_node, (*path, key))
                return out
            if isinstance(n, SequenceNode):
                return [build(v, (*path, i)) for i, v in enumerate(n.value)]
            return loader.construct_object(n, deep=True)

        try:
            return build(node, ()), lines
        except RecursionError as exc:
            raise YamlProblem(None, "YAML이 너무 깊게 중첩되어 있습니다") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise YamlProblem(mark.line + 1 if mark else None, f"YAML 형식 오류: {exc}") from exc
        except YamlProblem:
            raise
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise YamlProblem(None, "YAML 형식 오류: 읽을 수 없는 값이 있습니다") from exc
    finally:
        loader.dispose()


class _Dumper(yaml.SafeDumper):
    # Loading refuses aliases, so dumping must never write them (a dict used twice is written twice).
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
