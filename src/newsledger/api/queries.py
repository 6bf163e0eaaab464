"""The API's reads now live in ``newsledger.store.views`` (all SQL lives in ``store/``);
this name stays for code written against it."""

from ..store.views import *  # noqa: F401,F403
from ..store.views import MARK_CLOSE, MARK_OPEN, Reader, compare, lead, modality_summary  # noqa: F401
