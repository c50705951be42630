"""Flask extensions: created here, bound to the application in create_app.

The database (`db`) is in extensions/database.py, apart, so that the rule that views never touch it can be checked
by a tool: web/ may import this module (CSRF, sign-in, languages, throttling) but not that one.
"""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from .ratelimits import SQLiteStorage
from .task_queue import TaskQueue

migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# The views count their own hits (services/throttling.py), so each limit is keyed on what it protects and counted
# before the password or token is checked; the key function here is only the library's default.
limiter = Limiter(key_func=get_remote_address, strategy="fixed-window")
# Background jobs (csptoolkit/tasks.py): its store (SQLite in instance/, or Redis) is set from TASK_QUEUE_URL.
task_queue = TaskQueue()

__all__ = ["SQLiteStorage", "babel", "csrf", "limiter", "login_manager", "migrate", "task_queue"]
