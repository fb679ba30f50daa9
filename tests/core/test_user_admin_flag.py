"""`UserChanges.is_admin`: only the app's administrator makes or unmakes administrators."""

from __future__ import annotations

import pytest

from objectbase.core.actor import Actor, ActorKind
from objectbase.core.errors import PermissionDeniedError
from objectbase.core.users import UserChanges
from tests.conftest import QB


def test_the_administrator_sets_and_clears_the_flag_and_the_history_keeps_it(qb: QB) -> None:
    user_id = qb.make_user("promoted")
    assert qb.services.users.update_user(qb.admin, user_id, UserChanges(is_admin=True)).is_admin
    # Not given: unchanged.
    assert qb.services.users.update_user(qb.admin, user_id, UserChanges(profile={"full_name": "P"})).is_admin
    assert not qb.services.users.update_user(qb.admin, user_id, UserChanges(is_admin=False)).is_admin
    updates = [e for e in qb.events(str(user_id)) if e.kind == "user.updated"]
    assert [(e.old["is_admin"], e.new["is_admin"]) for e in updates] == [(False, True), (True, True), (True, False)]


@pytest.mark.parametrize("admin_user", [False, True])
def test_a_user_cannot_change_their_own_flag(qb: QB, admin_user: bool) -> None:
    user_id = qb.make_user("climber")
    if admin_user:
        qb.services.users.update_user(qb.admin, user_id, UserChanges(is_admin=True))
    # Even an admin user's own session is checked as that user: the flag is the API key's to give.
    actor = Actor(ActorKind.USER, qb.app_id, user_id, is_app_admin_user=admin_user)
    with pytest.raises(PermissionDeniedError):
        qb.services.users.update_user(actor, user_id, UserChanges(is_admin=not admin_user))
    assert qb.services.users.get_user(qb.admin, user_id).is_admin is admin_user
