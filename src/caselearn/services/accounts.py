"""Accounts, sign-in with lock-out, sessions, API tokens and the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, insert, literal, select, update

from caselearn.security.credentials import (
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from caselearn.security.policy import COMMITTEE_ROLES, ROLES, Principal, acting_as
from caselearn.store import queries as q
from caselearn.store.models import (
    ApiToken,
    AuditEntry,
    Committee,
    Review,
    User,
    WebSession,
    utcnow,
)


class LoginFailed(Exception):
    """Wrong name or password, a disabled account, or one locked after repeated failures. The
    message never says which, so it cannot be used to find out who has an account."""


class UserPublic(BaseModel):
    id: int
    name: str
    role: str
    committee: str | None
    disabled: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


class AuditPublic(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    method: str
    path: str
    status: int | None
    review_id: int | None
    unpublished: bool
    address: str
    detail: dict[str, Any] | None


class AuditPage(BaseModel):
    entries: list[AuditPublic]
    total: int
    page: int
    per_page: int


def _public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        name=user.name,
        role=user.role,
        committee=user.committee.name if user.committee else None,
        disabled=user.disabled,
        locked_until=user.locked_until,
        last_login_at=user.last_login_at,
    )


def principal_of(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        name=user.name,
        role=user.role,
        committee_id=user.committee_id,
        committee=user.committee.name if user.committee else None,
    )


def _audit_fields(fields: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    fields = dict(fields)
    review_id = fields.get("review_id")
    if review_id is not None and "unpublished" not in fields:
        # Read inside the INSERT itself: no extra round trip per logged request.
        fields["unpublished"] = func.coalesce(
            select(Review.published.is_(False)).where(Review.id == review_id).scalar_subquery(),
            False,
        )
    fields.setdefault("actor", "system")
    fields["actor"] = str(fields["actor"])[:200]
    fields["path"] = str(fields.get("path", ""))[:1000]
    fields.setdefault("at", utcnow())
    return fields


class AccountMixin:
    # --- accounts (the system acts here: callers check that an admin asked) ------------------

    def add_user(
        self,
        name: str,
        role: str,
        *,
        committee: str | None = None,
        password: str | None = None,
        token: bool = False,
    ) -> tuple[UserPublic, str | None]:
        """Create an account; returns it and, with ``token``, a new API token (shown once)."""
        from caselearn.services import InvalidChange

        name = " ".join(name.split())
        self._check_role(role, committee)
        if not name or len(name) > 200:
            raise InvalidChange("a user name needs 1 to 200 characters")
        if password is None and not token:
            raise InvalidChange("give a password, or ask for an API token")
        try:
            password_hash = hash_password(password) if password is not None else None
        except ValueError as exc:
            raise InvalidChange(str(exc)) from exc
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            if session.scalar(select(User).where(func.lower(User.name) == name.lower())):
                raise InvalidChange(f"there is already a user named {name!r}")
            user = User(
                name=name,
                role=role,
                committee=q.committee_named(session, committee) if committee else None,
                password_hash=password_hash,
            )
            session.add(user)
            session.flush()
            secret = None
            if token:
                secret = new_token()
                session.add(ApiToken(user_id=user.id, digest=token_digest(secret), label="cli"))
            self.audit(
                session, action="user_add", actor="system", detail={"user": name, "role": role}
            )
            return _public(user), secret

    def _check_role(self, role: str, committee: str | None) -> None:
        from caselearn.services import InvalidChange

        if role not in ROLES:
            raise InvalidChange(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if role in COMMITTEE_ROLES and not committee:
            raise InvalidChange(f"a {role} belongs to a committee: give --committee")
        if role not in COMMITTEE_ROLES and committee:
            raise InvalidChange(f"a {role} does not belong to one committee")

    def list_users(self) -> list[UserPublic]:
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            return [_public(u) for u in session.scalars(select(User).order_by(User.name))]

    def _user(self, session, name: str) -> User:  # type: ignore[no-untyped-def]
        from caselearn.services import NotFound

        user = session.scalar(select(User).where(func.lower(User.name) == name.lower()))
        if user is None:
            raise NotFound(f"no user named {name!r}")
        return user

    def disable_user(self, name: str, *, disabled: bool = True) -> UserPublic:
        """Disable (or enable) an account; its sessions end and its tokens stop working."""
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            user = self._user(session, name)
            user.disabled = disabled
            session.execute(delete(WebSession).where(WebSession.user_id == user.id))
            self.audit(
                session,
                action="user_disable" if disabled else "user_enable",
                actor="system",
                detail={"user": user.name},
            )
            return _public(user)

    def set_role(self, name: str, role: str, *, committee: str | None = None) -> UserPublic:
        self._check_role(role, committee)
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            user = self._user(session, name)
            before = {"role": user.role, "committee_id": user.committee_id}
            user.role = role
            user.committee = q.committee_named(session, committee) if committee else None
            session.execute(delete(WebSession).where(WebSession.user_id == user.id))
            self.audit(
                session,
                action="user_role",
                actor="system",
                detail={"user": user.name, "before": before, "role": role, "committee": committee},
            )
            return _public(user)

    def new_api_token(self, name: str, label: str = "") -> str:
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            user = self._user(session, name)
            secret = new_token()
            session.add(ApiToken(user_id=user.id, digest=token_digest(secret), label=label))
            return secret

    # --- signing in ---------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, *, address: str = "") -> Principal:
        """Check a password; lock the account after repeated failures. Raises LoginFailed.

        Failures are committed (count, lock, audit entry) before the error is raised."""
        settings = self.settings  # type: ignore[attr-defined]
        now = utcnow()
        principal = None
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            user = session.scalar(select(User).where(func.lower(User.name) == name.strip().lower()))
            entry: dict[str, Any] = {"actor": name[:200], "address": address}
            if user is None or user.disabled:
                verify_password(None, password)
                entry.update(action="login_failed", detail={"reason": "unknown or disabled"})
            elif user.locked_until and user.locked_until > now:
                entry.update(action="login_failed", user_id=user.id, detail={"reason": "locked"})
            elif not verify_password(user.password_hash, password):
                user.failed_logins += 1
                detail: dict[str, Any] = {
                    "reason": "wrong password",
                    "failures": user.failed_logins,
                }
                if user.failed_logins >= settings.login_attempts:
                    user.locked_until = now + dt.timedelta(minutes=settings.lockout_minutes)
                    user.failed_logins = 0
                    detail["locked_until"] = user.locked_until.isoformat()
                entry.update(action="login_failed", user_id=user.id, detail=detail)
            else:
                if user.password_hash and needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                user.failed_logins = 0
                user.locked_until = None
                user.last_login_at = now
                entry.update(action="login", actor=user.name, user_id=user.id)
                principal = principal_of(user)
            self.audit(session, **entry)
        if principal is None:
            raise LoginFailed("the name or password is not right, or the account is locked")
        return principal

    def start_session(self, principal: Principal) -> str:
        """A new session id for the cookie (a fresh one at every sign-in: no fixation)."""
        secret = new_token()
        hours = self.settings.session_hours  # type: ignore[attr-defined]
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
            session.add(
                WebSession(
                    digest=token_digest(secret),
                    user_id=principal.user_id,
                    expires_at=utcnow() + dt.timedelta(hours=hours),
                )
            )
        return secret

    def end_session(self, secret: str, *, address: str = "") -> None:
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            row = session.scalar(
                select(WebSession).where(WebSession.digest == token_digest(secret))
            )
            if row is not None:
                user = session.get(User, row.user_id)
                session.delete(row)
                self.audit(
                    session,
                    action="logout",
                    actor=user.name if user else "",
                    user_id=row.user_id,
                    address=address,
                )

    def principal_for_session(self, secret: str) -> Principal | None:
        found = self._principal_for(
            WebSession.user_id,
            WebSession.digest == token_digest(secret),
            WebSession.expires_at > utcnow(),
        )
        return found[0] if found else None

    def principal_for_token(self, secret: str) -> Principal | None:
        digest = token_digest(secret)
        found = self._principal_for(
            ApiToken.user_id,
            ApiToken.digest == digest,
            ApiToken.revoked.is_(False),
            last_used=ApiToken.last_used_at,
        )
        if found is None:
            return None
        principal, last_used = found
        now = utcnow()
        # "Last used" is for spotting forgotten tokens: to the minute is enough, and writing
        # it on every request would add a write and a commit to every API call.
        if last_used is None or last_used < now - dt.timedelta(minutes=1):
            with self.db.engine.begin() as connection:  # type: ignore[attr-defined]
                connection.execute(
                    update(ApiToken).where(ApiToken.digest == digest).values(last_used_at=now)
                )
        return principal

    def _principal_for(
        self, user_column, *conditions, last_used=None
    ) -> tuple[Principal, dt.datetime | None] | None:  # type: ignore[no-untyped-def]
        """The person a session or token belongs to, in one query, read afresh on every
        request so that signing out, disabling or a new role takes effect at once."""
        statement = (
            select(
                User.id,
                User.name,
                User.role,
                User.committee_id,
                Committee.name,
                last_used if last_used is not None else literal(None),
            )
            .join_from(User, Committee, User.committee_id == Committee.id, isouter=True)
            .where(User.id == user_column, User.disabled.is_(False), *conditions)
        )
        with self.db.engine.connect() as connection:  # type: ignore[attr-defined]
            row = connection.execute(statement).first()
        if row is None:
            return None
        user_id, name, role, committee_id, committee, last_used_at = row
        principal = Principal(
            user_id=user_id, name=name, role=role, committee_id=committee_id, committee=committee
        )
        return principal, last_used_at

    def review_of_document(self, document_id: int) -> int | None:
        from caselearn.store.models import Document

        with self.db.engine.connect() as connection:  # type: ignore[attr-defined]
            return connection.scalar(select(Document.review_id).where(Document.id == document_id))

    # --- audit --------------------------------------------------------------------------------

    def audit(self, session=None, **fields: Any) -> None:  # type: ignore[no-untyped-def]
        """Append one entry to the audit log (in ``session``'s transaction, or its own)."""
        if session is None:
            # One plain INSERT in its own short transaction: the log is written after every
            # request, and the ORM's unit of work would only add cost here.
            with self.db.engine.begin() as connection:  # type: ignore[attr-defined]
                connection.execute(insert(AuditEntry).values(**_audit_fields(fields)))
            return
        session.add(AuditEntry(**_audit_fields(fields)))

    def audit_entries(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        review_id: int | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        text: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> AuditPage:
        """Search the audit log, newest first (admins only: the web and CLI check)."""
        conditions = []
        if actor:
            conditions.append(func.lower(AuditEntry.actor) == actor.lower())
        if action:
            conditions.append(AuditEntry.action == action)
        if review_id is not None:
            conditions.append(AuditEntry.review_id == review_id)
        if since:
            conditions.append(AuditEntry.at >= dt.datetime.combine(since, dt.time()))
        if until:
            conditions.append(
                AuditEntry.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
            )
        if text:
            conditions.append(AuditEntry.path.contains(text, autoescape=True))
        with acting_as(None), self.db.session() as session:  # type: ignore[attr-defined]
            total = session.scalar(select(func.count(AuditEntry.id)).where(*conditions)) or 0
            rows = session.scalars(
                select(AuditEntry)
                .where(*conditions)
                .order_by(AuditEntry.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
            entries = [AuditPublic.model_validate(r, from_attributes=True) for r in rows]
        return AuditPage(entries=entries, total=total, page=page, per_page=per_page)

    def audit_csv(self, **filters: Any) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "id",
                "at",
                "actor",
                "action",
                "method",
                "path",
                "status",
                "review_id",
                "unpublished",
                "address",
            ]
        )
        page = 1
        while True:
            batch = self.audit_entries(**filters, page=page, per_page=1000)
            for e in batch.entries:
                writer.writerow(
                    [
                        e.id,
                        e.at.isoformat(),
                        e.actor,
                        e.action,
                        e.method,
                        e.path,
                        e.status,
                        e.review_id,
                        e.unpublished,
                        e.address,
                    ]
                )
            if page * 1000 >= batch.total:
                break
            page += 1
        return out.getvalue()
