"""A drop-in replacement for the Hermes gateway's ``SessionStore`` (seed 000,
gateway/session.py) that keeps everything in a switchboard server::

    from switchboard_client.hermes import SessionStore
    store = SessionStore("http://127.0.0.1:8377", token=None)
    entry = store.get_or_create_session(source)   # source: SessionSource or dict

Same method names, arguments and return values as the seed; the entries have
the seed's ``SessionEntry`` attribute names. Reset policies, expiry, memory
flushes and the locking the seed does with ``threading.Lock`` live in the
server, so one switchboard can serve many gateway processes at once.

Where switchboard's semantics differ from the seed's, the adapter follows
switchboard (SPEC.md):

* Only inbound user messages count as activity: routing a message (and
  ``get_or_create_session``) moves ``updated_at``; ``update_session`` and
  assistant/tool messages do not (in the seed, ``update_session`` did), so a
  session whose bot keeps talking still expires.
* ``reset_had_activity`` means the expired session had any messages or
  tokens (the seed looked only at ``total_tokens``).
* ``was_auto_reset``/``auto_reset_reason``/``reset_had_activity`` are set on
  the entry returned by the ``get_or_create_session`` call that created the
  new session, and are cleared on the server after that (consumed once).
* ``created_at``/``updated_at`` are naive datetimes in this machine's local
  time, like the seed's ``datetime.now()`` (the server sends UTC).
* ``platform`` and ``origin.platform`` on entries are plain strings (the
  gateway's ``Platform`` enum is not imported); ``origin`` is a
  :class:`Source` with the seed's ``SessionSource`` attribute names.
* Transcripts are addressed by session key on the server. The
  ``*_transcript`` methods take a session id like the seed, look up its key,
  and write only to the key's current session: writing to a session that is
  no longer current (reset or switched away since) raises
  :class:`SwitchboardError` 409 ``conflict`` instead of writing behind the
  gateway's back.
* ``append_to_transcript`` ignores ``skip_db``: switchboard is the only
  store (the agent's own SessionDB writes never reach it), so the message is
  always stored, once. Only the fields switchboard stores are sent (role,
  content, tool_name, tool_calls, tool_call_id, reasoning,
  reasoning_details, codex_reasoning_items, finish_reason, token_count,
  platform_message_id); messages whose role is not user, assistant, tool or
  system (e.g. the gateway's ``session_meta`` records) are not stored.
* ``switch_session`` refuses (403 ``forbidden``) a target session that
  belongs to another session key (SPEC 5); the seed switched to any id.
* ``has_any_sessions`` counts every session the server ever stored (like
  the seed's SQLite count), across all gateways using the server.
* There is no legacy JSONL transcript (``get_transcript_path`` is absent).
"""

import re
import threading
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from .client import Client, SwitchboardError, source_to_dict

__all__ = ["SessionStore", "SessionEntry", "Source", "SwitchboardError"]

_MESSAGE_FIELDS = ("role", "content", "tool_name", "tool_calls", "tool_call_id",
                   "reasoning", "reasoning_details", "codex_reasoning_items",
                   "finish_reason", "token_count", "platform_message_id")
_ROLES = ("user", "assistant", "tool", "system")
_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?"
                  r"(Z|[+-]\d\d:?\d\d)?$")


def _parse_time(text: Optional[str]) -> Optional[datetime]:
    """An ISO-8601 time from the server as a naive local datetime (Python 3.9's
    fromisoformat reads neither 'Z' nor every fraction length)."""
    if not text:
        return None
    m = _ISO.match(text)
    if not m:
        raise ValueError(f"not an ISO-8601 time: {text!r}")
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    micros = int((m.group(7) or "0")[:6].ljust(6, "0"))
    t = datetime(y, mo, d, h, mi, s, micros)
    zone = m.group(8)
    if zone is None:
        return t
    if zone == "Z":
        offset = timedelta(0)
    else:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == "-" else offset
    return t.replace(tzinfo=timezone(offset)).astimezone().replace(tzinfo=None)


@dataclass
class Source:
    """The seed's ``SessionSource`` attributes; ``platform`` is a string."""
    platform: str
    chat_id: Optional[str] = None
    chat_name: Optional[str] = None
    chat_type: str = "dm"
    user_id: Optional[str] = None
    user_name: Optional[str] = None
    thread_id: Optional[str] = None
    chat_topic: Optional[str] = None
    user_id_alt: Optional[str] = None
    chat_id_alt: Optional[str] = None

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Source":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names and v is not None})

    def to_dict(self) -> Dict[str, Any]:
        return source_to_dict(self)


@dataclass
class SessionEntry:
    """The seed's ``SessionEntry``, plus switchboard's ``expiry_finalized``
    and ``busy_until``."""
    session_key: str
    session_id: str
    created_at: datetime
    updated_at: datetime
    origin: Optional[Source] = None
    display_name: Optional[str] = None
    platform: Optional[str] = None
    chat_type: str = "dm"
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    total_tokens: int = 0
    estimated_cost_usd: float = 0.0
    cost_status: str = "unknown"
    last_prompt_tokens: int = 0
    was_auto_reset: bool = False
    auto_reset_reason: Optional[str] = None  # "idle" or "daily"
    reset_had_activity: bool = False
    expiry_finalized: bool = False
    busy_until: Optional[datetime] = None

    @classmethod
    def from_api(cls, data: Dict[str, Any]) -> "SessionEntry":
        """An entry from the API's JSON (GET /v1/sessions/KEY)."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for name in ("created_at", "updated_at", "busy_until"):
            values[name] = _parse_time(data.get(name))
        values["origin"] = Source.from_dict(data["origin"]) if data.get("origin") else None
        values["estimated_cost_usd"] = float(data.get("estimated_cost_usd") or 0.0)
        return cls(**values)

    def to_dict(self) -> Dict[str, Any]:
        """The seed's ``SessionEntry.to_dict`` (sessions.json form)."""
        out = {
            "session_key": self.session_key, "session_id": self.session_id,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "display_name": self.display_name, "platform": self.platform,
            "chat_type": self.chat_type, "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "total_tokens": self.total_tokens,
            "last_prompt_tokens": self.last_prompt_tokens,
            "estimated_cost_usd": self.estimated_cost_usd,
            "cost_status": self.cost_status,
        }
        if self.origin:
            out["origin"] = self.origin.to_dict()
        return out


class SessionStore:
    """Seed 000's ``SessionStore`` API on a switchboard server at ``url``.
    Thread-safe: every call is one or two HTTP requests; the only local state
    is a cache of session id -> key used by the transcript methods. See the
    module docstring for where semantics differ from the seed."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 30):
        self.client = Client(url, token=token, timeout=timeout)
        self._lock = threading.Lock()
        self._key_of: Dict[str, str] = {}    # session id -> session key
        self._current: Dict[str, str] = {}   # session key -> current session id

    # -- entries ----------------------------------------------------------

    def _remember(self, entry: SessionEntry) -> SessionEntry:
        with self._lock:
            self._key_of[entry.session_id] = entry.session_key
            self._current[entry.session_key] = entry.session_id
        return entry

    def _entry_or_none(self, call) -> Optional[SessionEntry]:
        try:
            return self._remember(SessionEntry.from_api(call()))
        except SwitchboardError as e:
            if e.status == 404:
                return None
            raise

    def has_any_sessions(self) -> bool:
        """True when the server holds more than one session (ended ones count),
        i.e. sessions existed before the current one (seed: ``> 1``)."""
        return len(self.client.history(limit=2)["sessions"]) > 1

    def get_or_create_session(self, source: Any, force_new: bool = False) -> SessionEntry:
        """The session for ``source`` (a SessionSource-like object or a dict):
        the current one, or a new one when a reset is due or ``force_new``.
        The reset flags are those of this call (consumed once)."""
        reply = self.client.route(source, force_new=force_new)
        entry = SessionEntry.from_api(self.client.entry(reply["session_key"]))
        if entry.session_id == reply["session_id"]:
            entry.was_auto_reset = reply["was_auto_reset"]
            entry.auto_reset_reason = reply["auto_reset_reason"]
            entry.reset_had_activity = reply["reset_had_activity"]
        return self._remember(entry)

    def update_session(self, session_key: str, input_tokens: int = 0,
                       output_tokens: int = 0, cache_read_tokens: int = 0,
                       cache_write_tokens: int = 0,
                       last_prompt_tokens: Optional[int] = None,
                       model: Optional[str] = None,
                       estimated_cost_usd: Optional[float] = None,
                       cost_status: Optional[str] = None,
                       cost_source: Optional[str] = None,
                       provider: Optional[str] = None,
                       base_url: Optional[str] = None) -> None:
        """Adds token usage and cost to the key's session. An unknown key is
        ignored, like the seed. Does not move ``updated_at`` (only user
        messages count as activity)."""
        values = {"input_tokens": input_tokens, "output_tokens": output_tokens,
                  "cache_read_tokens": cache_read_tokens,
                  "cache_write_tokens": cache_write_tokens,
                  "last_prompt_tokens": last_prompt_tokens, "model": model,
                  "estimated_cost_usd": estimated_cost_usd,
                  "cost_status": cost_status, "cost_source": cost_source,
                  "provider": provider, "base_url": base_url}
        body = {k: v for k, v in values.items() if v is not None}
        self._entry_or_none(lambda: self.client.usage(session_key, **body))

    def reset_session(self, session_key: str) -> Optional[SessionEntry]:
        """Starts a new session for the key; None when the key is unknown."""
        return self._entry_or_none(lambda: self.client.reset(session_key))

    def switch_session(self, session_key: str, target_session_id: str
                       ) -> Optional[SessionEntry]:
        """Points the key at an existing session (``/resume``); None when the
        key is unknown. Raises SwitchboardError 403 when the target belongs to
        another key, 404 when it does not exist."""
        return self._entry_or_none(
            lambda: self.client.switch(session_key, session_id=target_session_id))

    def list_sessions(self, active_minutes: Optional[int] = None) -> List[SessionEntry]:
        """Every entry (updated in the last ``active_minutes`` when given),
        most recently updated first."""
        entries: List[SessionEntry] = []
        page = 1000
        while True:
            reply = self.client.sessions(active_minutes=active_minutes, limit=page,
                                         offset=len(entries))
            batch = [SessionEntry.from_api(e) for e in reply["sessions"]]
            entries.extend(batch)
            if len(batch) < page:
                break
        entries.sort(key=lambda e: e.updated_at, reverse=True)
        return entries

    # -- transcripts ------------------------------------------------------

    def _current_key(self, session_id: str) -> str:
        """The key whose current session is ``session_id``; SwitchboardError
        404 when the session does not exist, 409 when it is not current."""
        with self._lock:
            key = self._key_of.get(session_id)
            current = self._current.get(key) if key else None
        if key is None:
            key = self.client.session(session_id).get("session_key")
            if not key:
                raise SwitchboardError(409, "conflict",
                                       f"session {session_id} has no session key")
        if current != session_id:
            current = self._remember(SessionEntry.from_api(self.client.entry(key))).session_id
        if current != session_id:
            raise SwitchboardError(
                409, "conflict",
                f"session {session_id} is no longer the current session of {key} "
                f"(now {current}); switchboard writes only to a key's current session")
        with self._lock:
            self._key_of[session_id] = key
        return key

    def append_to_transcript(self, session_id: str, message: Dict[str, Any],
                             skip_db: bool = False) -> None:
        """Appends ``message`` to the session (see the module docstring for
        ``skip_db`` and the fields stored)."""
        if message.get("role") not in _ROLES:
            return
        fields_ = {k: message[k] for k in _MESSAGE_FIELDS
                   if k in message and message[k] is not None}
        role = fields_.pop("role")
        content = fields_.pop("content", None)
        self.client.append(self._current_key(session_id), role, content, **fields_)

    def rewrite_transcript(self, session_id: str, messages: List[Dict[str, Any]]) -> None:
        """Replaces the session's transcript (``/retry``, ``/undo``,
        ``/compress``). The replaced messages stay restorable on the server."""
        kept = [{k: m[k] for k in _MESSAGE_FIELDS if k in m and m[k] is not None}
                for m in messages if m.get("role") in _ROLES]
        self.client.rewrite(self._current_key(session_id), kept)

    def load_transcript(self, session_id: str) -> List[Dict[str, Any]]:
        """The session's messages in the seed's conversation format; [] for
        an unknown session."""
        try:
            return self.client.messages(session_id)["messages"]
        except SwitchboardError as e:
            if e.status == 404:
                return []
            raise
