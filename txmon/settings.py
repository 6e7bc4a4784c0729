"""One typed settings object, read from ``TXMON_*`` environment variables and CLI flags.

Every default is defined here and nowhere else. Validation happens at start-up so that
a typo in a URL is a clear message naming the setting, not a stack trace an hour later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from txmon.errors import ConfigError
from txmon.shipped import shipped_dir

SEEDS_DIR = shipped_dir("seeds")


class Settings(BaseSettings):
    """Runtime configuration. Without ``bus``/``store`` txmon runs embedded."""

    model_config = SettingsConfigDict(env_prefix="TXMON_", extra="forbid")

    data_dir: Path = Field(
        default=Path.home() / ".local" / "share" / "txmon",
        description="Embedded store, embedded bus and caches live here.",
    )
    bus: str | None = Field(
        default=None, description="kafka://host:port[,host:port]; unset = embedded bus."
    )
    store: str | None = Field(
        default=None, description="redis://host:port/db; unset = embedded SQLite store."
    )
    namespace: str = Field(
        default="",
        description="Prefix for topic names and Redis keys, to share one cluster.",
    )
    rulebook: Path = Field(
        default=SEEDS_DIR / "rulebook.yaml", description="Rulebook YAML file."
    )
    seeds_dir: Path = Field(default=SEEDS_DIR, description="Data shipped with txmon.")
    metrics_port: int | None = Field(
        default=None, description="Serve Prometheus metrics and /healthz on this port."
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="Interface for /metrics and /healthz (0.0.0.0 in "
        "containers)."
    )
    liveness_timeout: float = Field(
        default=120.0, description="Seconds without progress before /healthz fails."
    )
    as_of: dt.date | None = Field(
        default=None, description="Evaluate lists as of this date instead of block time."
    )
    history: bool = Field(
        default=True,
        description="Index every transfer by address so a list update can raise "
        "retroactive alerts (one batched set write per engine batch).",
    )
    api_tokens: SecretStr | None = Field(
        default=None, description="API tokens as token=role,token=role (secret)."
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    confirmation_retention_years: int = Field(
        default=10, ge=1, le=100, description="Years screening confirmation records "
        "(FEFTA 確認記録) are kept; `txmon confirmations prune` refuses to delete younger ones.",
    )
    feed_key_file: Path | None = Field(
        default=None, description="PEM file of the exchange's Ed25519 feed signing key "
        "(`txmon alerts keygen`; keep it 0600). Unset with feed_key unset: feed unsigned.",
    )
    feed_key: SecretStr | None = Field(
        default=None, description="The feed signing key as PEM text (secret; instead of "
        "feed_key_file, e.g. from a secret manager).",
    )
    replay_blocks_root: Path | None = Field(
        default=None, description="The console's replay jobs may read Bitcoin Core block "
        "files (blk*.dat) only from directories under this one; unset: no block-file jobs.",
    )
    feed_checkpoint_every: int = Field(
        default=100, ge=1, description="Sign a feed head at least every N events (and at "
        "the end of each publication round and export).",
    )

    @field_validator("bus")
    @classmethod
    def _check_bus(cls, value: str | None) -> str | None:
        if value in (None, "", "embedded"):
            return None
        if not value.startswith("kafka://") or len(value) <= len("kafka://"):
            raise ValueError("must look like kafka://host:port (or be unset for embedded)")
        return value

    @field_validator("store")
    @classmethod
    def _check_store(cls, value: str | None) -> str | None:
        if value in (None, "", "embedded"):
            return None
        if not value.startswith(("redis://", "rediss://")):
            raise ValueError("must look like redis://host:port/db (or be unset for embedded)")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return upper

    def topic(self, name: str) -> str:
        """Full topic name, namespaced when several deployments share a cluster."""
        return f"{self.namespace}.{name}" if self.namespace else name


def load_settings(**overrides: object) -> Settings:
    """Build settings from env + explicit overrides (CLI flags), or raise ConfigError."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"TXMON_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc


def setting_names() -> list[str]:
    """Every environment variable txmon reads (docker-compose.yml is checked against it)."""
    return [f"TXMON_{name.upper()}" for name in Settings.model_fields]
