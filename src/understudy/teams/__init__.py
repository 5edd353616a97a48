"""Teams: workspaces, user accounts, roles and the one permission table.

- ``permissions``: ``Role``, ``Action`` and ``PERMISSIONS`` (role x action), ``authorize`` that the
  library calls before it writes, raising ``PermissionDenied``.
- ``context``: who is acting (``Actor``: user, role, workspace), bound per web request or per CLI
  command (``acting_as``); the stores and content folders follow the actor's workspace.
- ``accounts``: ``Accounts``, adding, listing, re-roling, disabling and signing in users, and
  creating workspaces. Passwords are Argon2 hashes (``passwords``, through pwdlib).

With no actor bound (a Python caller using the library directly, or a CLI on a database with no
accounts yet) everything happens in the ``default`` workspace with every permission.
"""

from __future__ import annotations
