"""Versioned prompt files under prompts/ and a renderer that checks its variables."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, Field

from perfdraft.core.errors import ConfigError

PROMPTS_DIR = Path(str(files("perfdraft.prompts")))
_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)


class PromptTemplate(BaseModel):
    """A prompt file: id, version, and system/user templates with {{variable}} slots."""

    id: str
    version: str
    path: str
    system: str
    user: str
    variables: list[str] = Field(description="every {{variable}} the templates use")

    @property
    def key(self) -> str:
        """id@version: goes into every result and cache key."""
        return f"{self.id}@{self.version}"


class RenderedPrompt(BaseModel):
    """A prompt ready to send: its key and the chat messages."""

    key: str
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def _front_matter(text: str, path: Path) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        raise ConfigError("prompt file has no front matter (--- id/version ---)", file=str(path))
    end = text.find("\n---\n", 4)
    if end < 0:
        raise ConfigError("prompt front matter is not closed with ---", file=str(path))
    meta: dict[str, str] = {}
    for line in text[4:end].splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            meta[k.strip()] = v.strip()
    return meta, text[end + 5:]


def parse_prompt(text: str, path: Path) -> PromptTemplate:
    """Parse one prompt file (front matter with id and version, then [system] and [user] parts)."""
    meta, body = _front_matter(text, path)
    for key in ("id", "version"):
        if not meta.get(key):
            raise ConfigError(f"prompt front matter lacks '{key}'", file=str(path))
    parts = _SECTION.split(body)
    sections = {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}
    if "system" not in sections or "user" not in sections:
        raise ConfigError("prompt needs a [system] and a [user] part", file=str(path))
    names = sorted(set(_VAR.findall(sections["system"])) | set(_VAR.findall(sections["user"])))
    return PromptTemplate(id=meta["id"], version=meta["version"], path=str(path), system=sections["system"],
                          user=sections["user"], variables=names)


@lru_cache(maxsize=32)
def load_prompt(prompt_id: str, directory: Path | None = None) -> PromptTemplate:
    """The newest version of prompts/<prompt_id>.v<N>.md (or a file whose front matter id matches)."""
    d = directory or PROMPTS_DIR
    candidates = sorted(d.glob(f"{prompt_id}.v*.md"), key=lambda p: _version_key(p.stem.rsplit(".v", 1)[-1]))
    if not candidates:
        raise ConfigError(f"no prompt file {prompt_id}.v<N>.md", file=str(d))
    path = candidates[-1]
    tpl = parse_prompt(path.read_text(encoding="utf-8"), path)
    if tpl.id != prompt_id:
        raise ConfigError(f"prompt id {tpl.id!r} does not match its file name", file=str(path))
    return tpl


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.\-]", v))


def render(tpl: PromptTemplate, **values: str) -> RenderedPrompt:
    """Fill every {{variable}} in one pass; a missing or unknown variable is an error."""
    missing = [v for v in tpl.variables if v not in values]
    unknown = [v for v in values if v not in tpl.variables]
    if missing or unknown:
        problems = []
        if missing:
            problems.append("missing " + ", ".join(missing))
        if unknown:
            problems.append("unknown " + ", ".join(unknown))
        raise ConfigError(f"prompt {tpl.key}: " + "; ".join(problems), file=tpl.path)

    def fill(text: str) -> str:
        # One pass: a value that itself contains {{x}} (document text) is never expanded again.
        return _VAR.sub(lambda m: str(values[m.group(1)]), text)

    return RenderedPrompt(key=tpl.key, system=fill(tpl.system), user=fill(tpl.user))
