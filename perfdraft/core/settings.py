"""The one settings object: every knob comes from PERFDRAFT_* environment variables (or a .env file)."""

# no `from __future__ import annotations`: pydantic reads the field annotations as objects, not strings to evaluate
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from perfdraft.core.errors import ConfigError

PREFIX = "perfdraft_"
ENV_FILE = ".env"

StructuredMode = Literal["auto", "json_schema", "json_object", "prompt"]
Backend = Literal["rules", "llm", "hybrid"]


def environment_values(env_file: str | os.PathLike | None = ENV_FILE) -> dict[str, str]:
    """PERFDRAFT_* values by field name: the environment over the .env file, names case-insensitive.

    What pydantic-settings' BaseSettings did for this class (prefix, .env, case, environment first), without
    importing it at every start: it pulls in asyncio and its cloud-secret and CLI sources.
    """
    values: dict[str, str] = {}
    path = Path(env_file).expanduser() if env_file is not None else None
    if path is not None and (path.is_file() or path.is_fifo()):
        from dotenv import dotenv_values  # only when there is a .env file
        values.update(_prefixed(dotenv_values(path, encoding="utf-8")))
    values.update(_prefixed(os.environ))
    return values


def _prefixed(env) -> dict[str, str]:
    """{field: value} of the PERFDRAFT_<field> names that are fields; a name without a value is no value."""
    out = {}
    for key, value in env.items():
        name = key.lower()
        if value is not None and name.startswith(PREFIX) and name[len(PREFIX):] in Settings.model_fields:
            out[name[len(PREFIX):]] = value
    return out


class Settings(BaseModel):
    """perfdraft settings; env prefix PERFDRAFT_ (e.g. PERFDRAFT_LLM_BASE_URL).

    Settings(**values) reads the environment and ./.env under the values given; Settings(_env_file=None) skips
    .env. model_validate() takes its input only, as with pydantic-settings.
    """

    model_config = ConfigDict(extra="ignore", validate_default=True)

    data_dir: Path = Field(Path("data"), description="where uploads, caches and the store live")
    store: Path | None = Field(None, description="Chroma directory; default <data_dir>/store")
    chroma_host: str | None = Field(None, description="use a Chroma server instead of a local directory")
    chroma_port: int = 8000
    store_lock_timeout: float = Field(60.0, ge=0, description="seconds to wait for another writer of the store")
    embeddings: Literal["hash", "e5", "openai"] = "hash"
    embed_model: str | None = Field(None, description="embeddings model name on the OpenAI-compatible endpoint")

    backend: Backend = "rules"
    llm_base_url: str | None = Field(None, description="OpenAI-compatible base URL, e.g. http://localhost:8000/v1")
    llm_model: str | None = None
    llm_api_key: SecretStr | None = Field(None, description="falls back to OPENAI_API_KEY")
    llm_timeout: float = 60.0
    llm_max_concurrency: int = 4
    llm_structured_mode: StructuredMode = "auto"
    llm_transport_retries: int = 4
    llm_max_reasks: int = 2
    llm_seed: int | None = 7
    llm_token_budget: int | None = Field(None, description="max prompt+completion tokens per document")
    llm_grounding: Literal["reject", "flag"] = Field(
        "reject", description="reject: a value the source does not contain is never written; flag: kept with a warning")
    llm_examples: bool = Field(True, description="similar validated tables from the store as examples in the "
                                                "extraction prompt (off: --no-store, for reproducible runs)")
    store_lexicon: bool = Field(True, description="the rules backend cuts run-together cells where names, values "
                                                 "and bases seen in the store say (off: --no-store)")
    llm_breaker_cooldown_s: float = Field(300.0, description="a dead endpoint is not tried again for this long")
    cache_path: Path | None = Field(None, description="SQLite LLM cache; default <data_dir>/llm-cache.sqlite")
    max_upload_mb: int = 50

    def __init__(self, _env_file: str | os.PathLike | None = ENV_FILE, **values: Any) -> None:
        super().__init__(**{**environment_values(_env_file), **values})

    @model_validator(mode="after")
    def _fallbacks(self) -> "Settings":
        if self.llm_api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.llm_api_key = SecretStr(os.environ["OPENAI_API_KEY"])
        if self.store is None:
            self.store = self.data_dir / "store"
        if self.cache_path is None:
            self.cache_path = self.data_dir / "llm-cache.sqlite"
        return self

    @property
    def lexicon_path(self) -> Path:
        """Where the store's lexicon is kept: beside a local store, in the data folder for a Chroma server."""
        if self.chroma_host:
            return self.data_dir / f"lexicon-{self.chroma_host}-{self.chroma_port}.json"
        return (self.store or self.data_dir / "store") / "lexicon.json"

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    def require_llm(self) -> None:
        """Raise a ConfigError that says exactly what to set when the LLM endpoint is not configured."""
        missing = [name for name, val in (("PERFDRAFT_LLM_BASE_URL", self.llm_base_url),
                                          ("PERFDRAFT_LLM_MODEL", self.llm_model)) if not val]
        if missing:
            raise ConfigError(
                "no LLM endpoint configured: set " + " and ".join(missing)
                + " (e.g. PERFDRAFT_LLM_BASE_URL=http://127.0.0.1:8000/v1 PERFDRAFT_LLM_MODEL=qwen2.5-7b-instruct);"
                " PERFDRAFT_LLM_API_KEY (or OPENAI_API_KEY) if the endpoint needs a key"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (tests build their own Settings instead of using this)."""
    return Settings()
