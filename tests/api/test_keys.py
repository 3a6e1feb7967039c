"""Signing-key rotation: each step of `rotate()`, what JWKS publishes, and tokens across a rollover."""

from __future__ import annotations

import stat

import jwt
import pytest

from chalicelib.core import tokens
from chalicelib.core.keys import KEYS_FILE, KeySet, generate_key, load_from_dir, rotate, save_to_dir
from tests.api.factories import Flow, bearer, create_citizen, create_relying_party


@pytest.fixture
def fresh_keys():
    """A one-key set in use for the test; the session's own set comes back afterwards."""
    previous = tokens.keyset()
    keys = KeySet((generate_key(),))
    tokens.use_keyset(keys)
    yield keys
    tokens.use_keyset(previous)


def states(keys: KeySet) -> list[str]:
    return [key.state for key in keys.keys]


def published_kids(http) -> list[str]:
    answer = http.get("/oidc/jwks")
    assert answer.status_code == 200
    assert all("d" not in key for key in answer.json_body["keys"])
    return [key["kid"] for key in answer.json_body["keys"]]


def test_rotation_publishes_then_promotes_then_drops(fresh_keys):
    original = fresh_keys.active.kid
    published = rotate(fresh_keys)
    assert states(published) == ["active", "next"]
    assert published.active.kid == original
    upcoming = published.keys[1].kid

    promoted = rotate(published)
    assert states(promoted) == ["retiring", "active"]
    assert promoted.active.kid == upcoming
    assert promoted.find(original) is not None

    dropped = rotate(promoted)
    assert states(dropped) == ["active"]
    assert dropped.active.kid == upcoming
    assert dropped.find(original) is None


def test_jwks_publishes_both_keys_during_a_rollover(http, fresh_keys):
    published = rotate(fresh_keys)
    tokens.use_keyset(published)
    assert published_kids(http) == [key.kid for key in published.keys]
    promoted = rotate(published)
    tokens.use_keyset(promoted)
    assert published_kids(http) == [key.kid for key in promoted.keys]
    tokens.use_keyset(rotate(promoted))
    assert published_kids(http) == [promoted.active.kid]


def test_the_next_key_is_published_but_does_not_sign(http, fresh_keys):
    published = rotate(fresh_keys)
    tokens.use_keyset(published)
    access = Flow(http, create_relying_party()).tokens(create_citizen().identifier)["access_token"]
    assert jwt.get_unverified_header(access)["kid"] == fresh_keys.active.kid


def test_tokens_signed_by_the_retiring_key_still_verify_until_it_is_dropped(http, fresh_keys):
    citizen = create_citizen()
    old_token = Flow(http, create_relying_party()).tokens(citizen.identifier)["access_token"]
    assert jwt.get_unverified_header(old_token)["kid"] == fresh_keys.active.kid

    promoted = rotate(rotate(fresh_keys))
    tokens.use_keyset(promoted)
    assert http.get("/oidc/userinfo", headers=bearer(old_token)).status_code == 200
    new_token = Flow(http, create_relying_party()).tokens(citizen.identifier)["access_token"]
    assert jwt.get_unverified_header(new_token)["kid"] == promoted.active.kid != fresh_keys.active.kid

    tokens.use_keyset(rotate(promoted))
    assert http.get("/oidc/userinfo", headers=bearer(old_token)).status_code == 401
    assert http.get("/oidc/userinfo", headers=bearer(new_token)).status_code == 200


def test_key_file_is_created_readable_by_its_owner_only(tmp_path):
    folder = tmp_path / "keys"
    created = load_from_dir(folder)
    path = folder / KEYS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
    assert load_from_dir(folder).active.kid == created.active.kid


def test_saved_rotation_keeps_owner_only_permissions_and_round_trips(tmp_path):
    folder = tmp_path / "keys"
    rotated = rotate(load_from_dir(folder))
    save_to_dir(folder, rotated)
    assert stat.S_IMODE((folder / KEYS_FILE).stat().st_mode) == 0o600
    assert states(load_from_dir(folder)) == ["active", "next"]
    assert [key.kid for key in load_from_dir(folder).keys] == [key.kid for key in rotated.keys]
    assert not list(folder.glob("*.tmp"))


def test_key_set_without_exactly_one_active_key_is_refused():
    active = generate_key()
    with pytest.raises(ValueError):
        KeySet.from_json(KeySet((active, generate_key())).to_json())
    with pytest.raises(ValueError):
        KeySet.from_json(KeySet((generate_key("next"),)).to_json())
