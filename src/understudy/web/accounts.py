"""Sign in, sign out, the Users page where administrators manage their workspace's users, and
New workspace (administrators create another workspace with its first administrator)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from understudy.errors import ConfigError, ContentError, NotFoundError
from understudy.teams.accounts import Accounts, accounts_exist
from understudy.teams.permissions import Action, Role, authorize
from understudy.web.fields import FormField
from understudy.web.forms import FormErrors
from understudy.web.templating import render

router = APIRouter()

FIRST_ADMIN = "understudy users add NAME --role admin"
"""The command that creates the first administrator (shown when no account exists)."""


def _safe_next(target: str) -> str:
    """Return ``target`` if it is a path on this site, else ``/`` (no open redirect)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form; says how to create the first administrator when there is no account."""
    context = {"title": "Sign in", "next": _safe_next(next), "no_accounts": not accounts_exist()}
    return render(request, "users/login.html", {**context, "first_admin": FIRST_ADMIN})


@router.post("/login", response_model=None, include_in_schema=False)
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    """Check the password; on success keep the username in the signed session cookie."""
    user = Accounts().authenticate(username.strip(), password)
    if user is None:
        context = {
            "title": "Sign in",
            "next": _safe_next(next),
            "username": username,
            "error": "Wrong username or password, or the account is disabled.",
            "no_accounts": not accounts_exist(),
            "first_admin": FIRST_ADMIN,
        }
        return render(request, "users/login.html", context, 401)
    request.session.clear()
    request.session["user"] = user.username
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> RedirectResponse:
    """Forget the signed-in user."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _users_page(request: Request, error: str = "", status: int = 200) -> HTMLResponse:
    authorize(Action.MANAGE_USERS)
    context = {"title": "Users", "users": Accounts().users(), "roles": list(Role), "error": error}
    return render(request, "users/list.html", context, status)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request) -> HTMLResponse:
    """The workspace's users with their roles (administrators only)."""
    return _users_page(request)


@router.post("/users", response_model=None)
def add_user(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    role: str = Form("member"),
    display_name: str = Form(""),
) -> Response:
    """Add a user to the workspace (administrators only)."""
    authorize(Action.MANAGE_USERS)
    try:
        chosen = Role(role)
        Accounts().add(username.strip(), password, role=chosen, display_name=display_name)
    except (ConfigError, ValueError) as exc:
        return _users_page(request, str(exc), 422)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{username}", response_model=None)
def change_user(
    request: Request, username: str, role: str = Form(""), disabled: str = Form("")
) -> Response:
    """Change a user's role, or disable / enable them (administrators only)."""
    authorize(Action.MANAGE_USERS)
    accounts = Accounts()
    if username not in {u.username for u in accounts.users()}:
        raise NotFoundError(f"no user {username!r} in this workspace")
    try:
        if role:
            accounts.set_role(username, Role(role))
        if disabled in ("yes", "no"):
            accounts.disable(username, disabled == "yes")
    except (ConfigError, ValueError) as exc:
        return _users_page(request, str(exc), 422)
    return RedirectResponse("/users", status_code=303)


WORKSPACE_FIELDS = [
    FormField(
        "slug",
        "Short name",
        required=True,
        help="lower-case letters, digits, . _ -; also its folder's name",
    ),
    FormField("name", "Name", help="shown to its users (default: the short name)"),
    FormField("admin", "First administrator", required=True, help="their username"),
    FormField("admin_name", "Their name"),
    FormField("password", "Their password", "password", required=True, help="8 characters or more"),
]


def _workspace_page(
    request: Request,
    values: dict[str, str],
    errors: FormErrors | None = None,
    created: str = "",
    admin: str = "",
    status: int = 200,
) -> HTMLResponse:
    authorize(Action.CREATE_WORKSPACE)
    context = {
        "title": "New workspace",
        "fields": WORKSPACE_FIELDS,
        "values": values,
        "errors": errors or {},
        "created": created,
        "admin": admin,
    }
    return render(request, "users/workspace.html", context, status)


@router.get("/workspaces/new", response_class=HTMLResponse)
def new_workspace(request: Request, created: str = "", admin: str = "") -> HTMLResponse:
    """The New workspace form (administrators only); ``created`` names the one just made."""
    return _workspace_page(request, {}, created=created[:64], admin=admin[:64])


@router.post("/workspaces/new", response_model=None)
def create_workspace(
    request: Request,
    slug: str = Form(""),
    name: str = Form(""),
    admin: str = Form(""),
    admin_name: str = Form(""),
    password: str = Form(""),
) -> Response:
    """Create a workspace and its first administrator; problems beside their fields (422)."""
    authorize(Action.CREATE_WORKSPACE)
    values = {"slug": slug, "name": name, "admin": admin, "admin_name": admin_name}
    try:
        user = Accounts().create_workspace(slug, name, admin, password, admin_name=admin_name)
    except ContentError as exc:
        errors: FormErrors = {}
        for problem in exc.problems:
            errors.setdefault(problem.field, []).append(f"{problem.field}: {problem.message}")
        return _workspace_page(request, values, errors, status=422)
    query = urlencode({"created": user.workspace, "admin": user.username})
    return RedirectResponse(f"/workspaces/new?{query}", status_code=303)
