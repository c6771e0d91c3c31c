"""Saved drafts: one JSON file per draft under <data_dir>/drafts, holding every version; deletes go to a bin."""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, Field

from perfdraft.core.errors import InputError
from perfdraft.core.models import Project, ProjectBrief, RetrievedProject
from perfdraft.core.settings import Settings
from perfdraft.extraction.batch import atomic_write_bytes

_ID = re.compile(r"^[0-9a-f]{12}$")
MAX_TITLE = 100


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class DraftVersion(BaseModel):
    """One saved state of a draft: the brief (header block) and the table."""

    number: int
    saved_at: str
    brief: ProjectBrief
    project: Project
    note: str = ""


class SavedDraft(BaseModel):
    """A draft with its whole history; the last version is the current one."""

    id: str
    title: str
    created_at: str
    updated_at: str
    backend: str = "rules"
    batch: str | None = Field(None, description="id of the batch this draft was made in, if any")
    batch_index: int = Field(0, description="position in the batch's project list")
    examples: list[RetrievedProject] = Field(default_factory=list, description="past projects it was drafted from")
    versions: list[DraftVersion] = Field(default_factory=list)

    @property
    def current(self) -> DraftVersion:
        return self.versions[-1]


class DraftSummary(BaseModel):
    """A line of the draft list."""

    id: str
    title: str
    updated_at: str
    versions: int
    batch: str | None = None
    batch_index: int = 0


class DraftStore:
    """Drafts of one data directory; deleted drafts wait in `.bin/` until restored or purged."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.bin = self.root / ".bin"
        self.root.mkdir(parents=True, exist_ok=True)
        self.bin.mkdir(exist_ok=True)

    @classmethod
    def for_settings(cls, settings: Settings) -> "DraftStore":
        return cls(Path(settings.data_dir) / "drafts")

    def _path(self, draft_id: str, *, binned: bool = False) -> Path:
        if not _ID.match(draft_id or ""):  # ids come from query strings: never a path
            raise InputError("草稿编号无效")
        return (self.bin if binned else self.root) / f"{draft_id}.json"

    def _write(self, draft: SavedDraft) -> SavedDraft:
        atomic_write_bytes(self._path(draft.id), draft.model_dump_json().encode("utf-8"))
        return draft

    def create(self, brief: ProjectBrief, project: Project, *, title: str | None = None, backend: str = "rules",
               examples: list[RetrievedProject] | None = None, batch: str | None = None,
               batch_index: int = 0) -> SavedDraft:
        """A new draft with its first version."""
        now = _now()
        draft = SavedDraft(id=uuid.uuid4().hex[:12], title=(title or f"{brief.year}年 {brief.name}")[:MAX_TITLE],
                           created_at=now, updated_at=now, backend=backend, batch=batch, batch_index=batch_index,
                           examples=examples or [],
                           versions=[DraftVersion(number=1, saved_at=now, brief=brief, project=project, note="生成")])
        return self._write(draft)

    def load(self, draft_id: str) -> SavedDraft:
        path = self._path(draft_id)
        if not path.is_file():
            raise InputError("找不到这份草稿（可能已被删除）")
        return SavedDraft.model_validate_json(path.read_text(encoding="utf-8"))

    def save_version(self, draft_id: str, brief: ProjectBrief, project: Project, note: str = "修改") -> SavedDraft:
        """Append a version unless it equals the current one; returns the draft."""
        draft = self.load(draft_id)
        cur = draft.current
        if cur.brief == brief and cur.project == project:
            return draft
        now = _now()
        draft.versions.append(DraftVersion(number=cur.number + 1, saved_at=now, brief=brief, project=project,
                                           note=note))
        draft.updated_at = now
        return self._write(draft)

    def list(self, batch: str | None = None) -> list[DraftSummary]:
        """Saved drafts, newest first (optionally of one batch)."""
        out = []
        for path in self.root.glob("*.json"):
            try:
                d = SavedDraft.model_validate_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a damaged file must not hide the others
            if batch is None or d.batch == batch:
                out.append(DraftSummary(id=d.id, title=d.title, updated_at=d.updated_at, versions=len(d.versions),
                                        batch=d.batch, batch_index=d.batch_index))
        if batch is not None:
            return sorted(out, key=lambda s: s.batch_index)  # a batch reads in the order of its list
        return sorted(out, key=lambda s: (s.updated_at, s.id), reverse=True)

    def rename(self, draft_id: str, title: str) -> SavedDraft:
        title = title.strip()
        if not title:
            raise InputError("草稿名称不能为空")
        if len(title) > MAX_TITLE:
            raise InputError(f"草稿名称不能超过 {MAX_TITLE} 个字")
        draft = self.load(draft_id)
        draft.title, draft.updated_at = title, _now()
        return self._write(draft)

    def duplicate(self, draft_id: str) -> SavedDraft:
        """A copy of the current version as a new draft (its history starts again)."""
        src = self.load(draft_id)
        cur = src.current
        copy = self.create(cur.brief, cur.project, title=f"{src.title}（副本）"[:MAX_TITLE], backend=src.backend,
                           examples=src.examples)
        return copy

    def delete(self, draft_id: str) -> None:
        """Move the draft to the bin (restore undoes it)."""
        os.replace(self._path(draft_id), self._path(draft_id, binned=True))

    def restore(self, draft_id: str) -> SavedDraft:
        binned = self._path(draft_id, binned=True)
        if not binned.is_file():
            raise InputError("回收站中没有这份草稿")
        os.replace(binned, self._path(draft_id))
        return self.load(draft_id)
