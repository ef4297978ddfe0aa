"""Shared fixtures. Hypothesis runs derandomized, so a failure replays exactly."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import crossdeal
from crossdeal.culture import CultureModel

settings.register_profile("crossdeal", derandomize=True, deadline=None, max_examples=200)
settings.load_profile("crossdeal")

DATA = Path(__file__).parent / "data"
WWMETRICS = DATA / "kogut_singh"


def pytest_report_header() -> str:
    return "hypothesis: derandomized (profile 'crossdeal'); failures replay with the same examples"


@pytest.fixture(autouse=True, scope="session")
def _argon2_hash_once_per_password() -> Iterator[None]:
    """Hash each password with Argon2id once per test run and reuse the hash: the
    server's tests add the same users hundreds of times, at about 0.15 s a hash. Only
    hashing is reused; every sign-in still verifies the password against a real
    Argon2id hash, and a rehash after a parameter change is pwdlib's own."""
    from crossdeal.auth import store

    make = store._hasher
    hashes: dict[str, str] = {}

    class HashOncePerPassword:
        def __init__(self) -> None:
            self.inner = make()

        def hash(self, password: str) -> str:
            if password not in hashes:
                hashes[password] = self.inner.hash(password)
            return hashes[password]

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    patch = pytest.MonkeyPatch()
    patch.setattr(store, "_hasher", HashOncePerPassword)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def crossdeal_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own crossdeal home, so no test reads or writes the user's.

    That includes the pipeline database: a CROSSDEAL_DATABASE_URL set in the shell that
    runs the tests would otherwise send the demo and import tests to the user's database.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CROSSDEAL_HOME", str(home))
    monkeypatch.delenv("CROSSDEAL_DATABASE_URL", raising=False)
    return home


POSTGRES_URL = os.environ.get(
    "CROSSDEAL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh, migrated pipeline database: a SQLite file, and a PostgreSQL schema of its own."""
    from crossdeal.pipeline.db import Database

    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'pipeline.db'}")
        yield db
        db.dispose()
        return
    if os.environ.get("CROSSDEAL_SKIP_POSTGRES") == "1":
        pytest.skip("CROSSDEAL_SKIP_POSTGRES=1: PostgreSQL tests switched off on purpose")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc.orig}); start it, or set "
            "CROSSDEAL_TEST_POSTGRES_URL, or CROSSDEAL_SKIP_POSTGRES=1 to skip these tests"
        )
    sep = "&" if "?" in POSTGRES_URL else "?"
    db = Database(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def model() -> CultureModel:
    return crossdeal.default_model()


@pytest.fixture(scope="session")
def wwmetrics_model() -> CultureModel:
    return crossdeal.load_culture_model(WWMETRICS / "wwmetrics_Hofstede_input.yaml")
