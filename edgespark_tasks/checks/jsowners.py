"""Which named object literal or class a property or method belongs to, from the braces.

`const env = { secret: (k) => ... }` makes `env.secret` callable by that name, and so does
`class Keys { static var(k) {...} }` for `Keys.var`; `jsfunctions` names helpers this way.
"""

from __future__ import annotations

from edgespark_tasks.checks.jsimports import DOT, at
from edgespark_tasks.checks.jstokens import Token


class Owners:
    """For each token, the innermost `{` around it, and which of those braces open an object
    literal bound to a name (`const env = {`, `export default {`) or a class body."""

    def __init__(self, tokens: list[Token]) -> None:
        self.parent: list[int] = []
        self.objects: dict[int, str] = {}
        self.classes: dict[int, str] = {}
        stack: list[int] = []
        for i, tok in enumerate(tokens):
            self.parent.append(stack[-1] if stack else -1)
            if tok.kind != "punct":
                continue
            if tok.value == "{":
                stack.append(i)
                self._name(tokens, i)
            elif tok.value == "}" and stack:
                stack.pop()

    def _name(self, tokens: list[Token], brace: int) -> None:
        if at(tokens, brace - 1) == "=" and brace >= 2 and tokens[brace - 2].kind == "name" \
                and at(tokens, brace - 3) not in DOT:
            self.objects[brace] = tokens[brace - 2].value
        elif at(tokens, brace - 1) == "default" and at(tokens, brace - 2) == "export":
            self.objects[brace] = "default"
        else:
            for k in range(brace - 1, max(brace - 8, 0), -1):
                if at(tokens, k) == "class" and tokens[k + 1].kind == "name":
                    self.classes[brace] = tokens[k + 1].value
                    break
                if at(tokens, k) in (";", "{", "}", "(", ")", "=>"):
                    break

    def member(self, tokens: list[Token], name_at: int) -> str | None:
        """`obj.name` for a property or static method named at `name_at`, else None."""
        brace = self.parent[name_at]
        if brace in self.objects:
            return f"{self.objects[brace]}.{tokens[name_at].value}"
        if brace in self.classes and at(tokens, name_at - 1) == "static":
            return f"{self.classes[brace]}.{tokens[name_at].value}"
        return None
