"""HTTP client for switchboard's API (API.md). Standard library only.

Every method returns the decoded JSON reply (``export`` with
``format="markdown"`` returns text). Every failure raises
:class:`SwitchboardError`: HTTP errors carry the API's status, ``code`` and
``message``; a server that cannot be reached gives status 0 and code
``"unreachable"``.

``route`` and ``append`` are retried on connection failures, timeouts and 503
(waiting the server's ``Retry-After``), always with the same ``request_id``
(generated with uuid4 when the caller gave none), so a retry is never stored
twice: the server answers a repeated ``request_id`` with the first reply and
``"duplicate": true``. Other calls are not retried.
"""

import http.client
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

__all__ = ["Client", "SwitchboardError", "source_to_dict"]

_SOURCE_FIELDS = ("platform", "chat_id", "chat_name", "chat_type", "user_id",
                  "user_name", "thread_id", "chat_topic", "user_id_alt",
                  "chat_id_alt")

_CODE_BY_STATUS = {400: "bad_request", 401: "unauthorized", 403: "forbidden",
                   404: "not_found", 405: "method_not_allowed", 409: "conflict",
                   413: "payload_too_large", 500: "internal", 503: "overloaded"}


class SwitchboardError(Exception):
    """An API error: ``status`` (HTTP status, 0 when unreachable), ``code``
    (the API's error code, e.g. ``"not_found"``) and ``message``."""

    def __init__(self, status: int, code: str, message: str,
                 retry_after: Optional[float] = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def source_to_dict(source: Any) -> Dict[str, Any]:
    """A source as the API's JSON object. Accepts a dict or any object with
    the gateway's ``SessionSource`` attributes (``platform`` may be an enum:
    its ``.value`` is used). None fields are left out; other scalars become
    strings (the seed's ``str(data["chat_id"])``)."""
    def read(name):
        if isinstance(source, dict):
            return source.get(name)
        return getattr(source, name, None)

    out = {}
    for name in _SOURCE_FIELDS:
        value = read(name)
        if value is None:
            continue
        value = getattr(value, "value", value)  # enums
        out[name] = value if isinstance(value, str) else str(value)
    if "platform" not in out:
        raise ValueError("source.platform is required")
    return out


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return str(value)


def _retry_after(headers) -> Optional[float]:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class Client:
    """A switchboard server at ``url`` (``http://127.0.0.1:8377``).

    ``token``: the bearer token when the server has one. ``timeout``: seconds
    per HTTP request. ``retries``: how many times ``route``/``append`` retry
    (backoff 0.1 s doubling to 2 s, or the server's Retry-After).
    """

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 30,
                 *, retries: int = 8):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries

    # -- plumbing ---------------------------------------------------------

    def _url(self, path: str, query: Optional[Dict[str, Any]] = None) -> str:
        url = self.url + path
        if query:
            pairs = [(k, _query_value(v)) for k, v in query.items() if v is not None]
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        return url

    def _headers(self, body: bool, extra: Optional[Dict[str, str]] = None):
        headers = {"Accept": "application/json"}
        if body:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        headers.update(extra or {})
        return headers

    def _once(self, method: str, path: str, body: Any = None,
              query: Optional[Dict[str, Any]] = None, text: bool = False):
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self._url(path, query), data=data, method=method,
                                     headers=self._headers(data is not None))
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
                ctype = resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            raise self._http_error(e) from None
        except (OSError, http.client.HTTPException) as e:
            # URLError, refused/reset connections and timeouts are OSErrors.
            raise SwitchboardError(0, "unreachable", f"{method} {path}: {e}") from e
        if text or not ctype.startswith("application/json"):
            return raw.decode("utf-8")
        return json.loads(raw.decode("utf-8"))

    @staticmethod
    def _http_error(e: urllib.error.HTTPError) -> SwitchboardError:
        raw = b""
        try:
            raw = e.read()
        except (OSError, http.client.HTTPException):
            pass
        code = _CODE_BY_STATUS.get(e.code, "http_%d" % e.code)
        message = raw.decode("utf-8", "replace") or str(e.reason)
        try:
            err = json.loads(raw.decode("utf-8"))["error"]
            code, message = err["code"], err["message"]
        except (ValueError, KeyError, TypeError):
            pass
        return SwitchboardError(e.code, code, message, _retry_after(e.headers))

    def _request(self, method: str, path: str, body: Any = None,
                 query: Optional[Dict[str, Any]] = None, text: bool = False,
                 retry: bool = False):
        """One call; with ``retry``, connection failures and 503 are retried.
        Only for bodies that carry a request_id (safe to repeat)."""
        delay = 0.1
        for attempt in range(self.retries + 1 if retry else 1):
            try:
                return self._once(method, path, body, query, text)
            except SwitchboardError as e:
                if not retry or attempt == self.retries or e.status not in (0, 503):
                    raise
                wait = e.retry_after if e.retry_after is not None else delay
                time.sleep(wait + random.uniform(0, delay / 2))
                delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")

    @staticmethod
    def _key(key: str) -> str:
        return urllib.parse.quote(key, safe="")

    @staticmethod
    def _id(session_id: str) -> str:
        return urllib.parse.quote(session_id, safe="")

    # -- routing ----------------------------------------------------------

    def route(self, source: Any, content: Optional[str] = None, role: str = "user",
              force_new: bool = False, request_id: Optional[str] = None,
              platform_message_id: Optional[str] = None) -> Dict[str, Any]:
        """POST /v1/messages: gets or creates the session of ``source``'s key
        and, when ``content`` is given, appends the message. ``source`` is a
        dict or a SessionSource-like object."""
        body: Dict[str, Any] = {"source": source_to_dict(source)}
        if force_new:
            body["force_new"] = True
        if content is not None or platform_message_id is not None:
            message: Dict[str, Any] = {"role": role, "content": content}
            if platform_message_id is not None:
                message["platform_message_id"] = platform_message_id
            body["message"] = message
        body["request_id"] = request_id or uuid.uuid4().hex
        return self._request("POST", "/v1/messages", body, retry=True)

    def route_batch(self, items: List[Dict[str, Any]]) -> Dict[str, Any]:
        """POST /v1/messages:batch: ``items`` are route bodies (``source``,
        optional ``message``, ``force_new``, ``request_id``); sources may be
        SessionSource-like objects. Returns ``{"results": [...]}``, one reply
        or ``{"error": ...}`` per item in order."""
        bodies = []
        for item in items:
            item = dict(item)
            item["source"] = source_to_dict(item["source"])
            bodies.append(item)
        return self._request("POST", "/v1/messages:batch", {"items": bodies})

    # -- sessions by key --------------------------------------------------

    def append(self, key: str, role: str, content: Optional[str],
               **fields: Any) -> Dict[str, Any]:
        """POST /v1/sessions/KEY/messages. ``fields``: tool_name, tool_calls,
        tool_call_id, reasoning, reasoning_details, finish_reason,
        token_count, platform_message_id, request_id."""
        body = dict(fields, role=role, content=content)
        body["request_id"] = body.get("request_id") or uuid.uuid4().hex
        return self._request("POST", f"/v1/sessions/{self._key(key)}/messages", body,
                             retry=True)

    def usage(self, key: str, **fields: Any) -> Dict[str, Any]:
        """POST /v1/sessions/KEY/usage (input_tokens, output_tokens, ...,
        model, estimated_cost_usd, cost_status, cost_source, provider,
        base_url); returns the entry."""
        return self._request("POST", f"/v1/sessions/{self._key(key)}/usage", fields)

    def entry(self, key: str) -> Dict[str, Any]:
        """GET /v1/sessions/KEY: the routing entry."""
        return self._request("GET", f"/v1/sessions/{self._key(key)}")

    def transcript(self, key: str) -> Dict[str, Any]:
        """GET /v1/sessions/KEY/transcript: ``{"session_id", "messages"}``."""
        return self._request("GET", f"/v1/sessions/{self._key(key)}/transcript")

    def rewrite(self, key: str, messages: List[Dict[str, Any]]) -> Dict[str, Any]:
        """PUT /v1/sessions/KEY/transcript: replaces the current session's
        messages; ``{"session_id", "message_count"}``."""
        return self._request("PUT", f"/v1/sessions/{self._key(key)}/transcript",
                             {"messages": messages})

    def reset(self, key: str, title: Optional[str] = None) -> Dict[str, Any]:
        """POST /v1/sessions/KEY/reset: a new session; returns the new entry."""
        body = {} if title is None else {"title": title}
        return self._request("POST", f"/v1/sessions/{self._key(key)}/reset", body)

    def switch(self, key: str, session_id: Optional[str] = None,
               title: Optional[str] = None, scope: str = "key") -> Dict[str, Any]:
        """POST /v1/sessions/KEY/switch to a session by id or title. ``scope``
        "key" (the target must belong to this key) or "user" (to the same
        user); 403 ``forbidden`` otherwise."""
        body: Dict[str, Any] = {}
        if session_id is not None:
            body["session_id"] = session_id
        if title is not None:
            body["title"] = title
        if scope != "key":  # the server's default; older servers lack scope
            body["scope"] = scope
        return self._request("POST", f"/v1/sessions/{self._key(key)}/switch", body)

    def busy(self, key: str, busy: bool, ttl_seconds: Optional[float] = None
             ) -> Dict[str, Any]:
        """POST /v1/sessions/KEY/busy: a busy session never resets."""
        body: Dict[str, Any] = {"busy": busy}
        if ttl_seconds is not None:
            body["ttl_seconds"] = ttl_seconds
        return self._request("POST", f"/v1/sessions/{self._key(key)}/busy", body)

    def expire_session(self, key: str, session_id: Optional[str] = None
                       ) -> Dict[str, Any]:
        """POST /v1/sessions/KEY/expire: expires the key's current session now,
        as the expiry sweep would (flush hook first, then finalized). Returns
        ``{"session_key", "session_id", "reason", "flushed", "flush_failed"}``;
        ``reason`` is ``manual`` unless the policy already said it was due.
        404 for an unknown key; 409 when it has already expired, is busy, or
        ``session_id`` is given and the key now points at another session."""
        body = {} if session_id is None else {"session_id": session_id}
        return self._request("POST", f"/v1/sessions/{self._key(key)}/expire", body)

    def context(self, key: str, redact_pii: bool = False) -> Dict[str, Any]:
        """GET /v1/sessions/KEY/context: ``{"prompt": ...}``."""
        return self._request("GET", f"/v1/sessions/{self._key(key)}/context",
                             query={"redact_pii": True} if redact_pii else None)

    def sessions(self, **filters: Any) -> Dict[str, Any]:
        """GET /v1/sessions: active_minutes, limit, offset, platform,
        chat_type, q, finalized, sort, order."""
        return self._request("GET", "/v1/sessions", query=filters)

    # -- sessions by id, search, history ----------------------------------

    def history(self, **filters: Any) -> Dict[str, Any]:
        """GET /v1/history: source, exclude_sources (list or "a,b"), limit,
        offset, user_id, session_key, parent_session_id (the children of a
        session)."""
        return self._request("GET", "/v1/history", query=filters)

    def search(self, q: str, **filters: Any) -> Dict[str, Any]:
        """GET /v1/search: sources, exclude_sources, roles, limit, offset,
        sort (relevance, newest, oldest), user_id, session_key."""
        return self._request("GET", "/v1/search", query=dict(filters, q=q))

    def session(self, session_id: str) -> Dict[str, Any]:
        """GET /v1/session-ids/ID (a unique prefix works): the sessions row."""
        return self._request("GET", f"/v1/session-ids/{self._id(session_id)}")

    def messages(self, session_id: str, stitch: bool = False) -> Dict[str, Any]:
        """GET /v1/session-ids/ID/messages: ``{"session_id", "messages"}``,
        stitched across a compression chain when asked."""
        return self._request("GET", f"/v1/session-ids/{self._id(session_id)}/messages",
                             query={"stitch": True} if stitch else None)

    def set_title(self, session_id: str, title: Optional[str]) -> Dict[str, Any]:
        """PUT /v1/session-ids/ID/title: ``{"title": sanitized}``; 409 when taken."""
        return self._request("PUT", f"/v1/session-ids/{self._id(session_id)}/title",
                             {"title": title})

    def export(self, session_id: str, format: str = "json",
               redact_pii: bool = False, include_inactive: bool = False):
        """GET /v1/session-ids/ID/export: the session with its messages (a
        dict), or the Markdown text for ``format="markdown"``. With
        ``include_inactive`` (JSON only) also the rows transcript rewrites
        replaced, each with ``active`` 0."""
        query: Dict[str, Any] = {"format": format}
        if redact_pii:
            query["redact_pii"] = True
        if include_inactive:
            query["include_inactive"] = True
        return self._request("GET", f"/v1/session-ids/{self._id(session_id)}/export",
                             query=query, text=format == "markdown")

    def delete(self, session_id: str) -> Dict[str, Any]:
        """DELETE /v1/session-ids/ID (the exact id): ``{"deleted": bool}``."""
        return self._request("DELETE", f"/v1/session-ids/{self._id(session_id)}")

    def usage_report(self, **filters: Any) -> Dict[str, Any]:
        """GET /v1/usage: ``from``/``to`` (YYYY-MM-DD; pass ``**{"from": ...}``
        or ``from_=``), ``group_by`` (day, platform, model)."""
        if "from_" in filters:
            filters["from"] = filters.pop("from_")
        return self._request("GET", "/v1/usage", query=filters)

    # -- operations -------------------------------------------------------

    def expire(self) -> Dict[str, Any]:
        """POST /v1/admin/expire: runs an expiry sweep now."""
        return self._request("POST", "/v1/admin/expire", {})

    def prune(self, older_than_days: float, source: Optional[str] = None,
              dry_run: bool = False) -> Dict[str, Any]:
        """POST /v1/admin/prune."""
        body: Dict[str, Any] = {"older_than_days": older_than_days}
        if source is not None:
            body["source"] = source
        if dry_run:
            body["dry_run"] = True
        return self._request("POST", "/v1/admin/prune", body)

    def retention(self) -> Dict[str, Any]:
        """POST /v1/admin/retention: runs the retention rule now."""
        return self._request("POST", "/v1/admin/retention", {})

    def stats(self) -> Dict[str, Any]:
        """GET /v1/stats."""
        return self._request("GET", "/v1/stats")

    def expiry_forecast(self, hours: Optional[int] = None) -> Dict[str, Any]:
        """GET /v1/expiry/forecast."""
        return self._request("GET", "/v1/expiry/forecast", query={"hours": hours})

    def openapi(self) -> Dict[str, Any]:
        """GET /v1/openapi.json: the OpenAPI 3.1 document."""
        return self._request("GET", "/v1/openapi.json")

    # -- events -----------------------------------------------------------

    def events(self, types: Optional[List[str]] = None,
               session_key: Optional[str] = None,
               last_event_id: Optional[int] = None
               ) -> Iterator[Tuple[Optional[int], str, Any]]:
        """GET /v1/events as a generator of ``(id, type, data)``. It never
        ends by itself: when the stream breaks (or stays silent for
        ``max(timeout, 60)`` s; the server pings every 15 s) it reconnects
        with ``Last-Event-ID`` so no buffered event is missed (the server
        sends ``events_lost`` when too many were). HTTP errors other than
        503 are raised. Stop it with ``.close()`` or by leaving the loop."""
        query: Dict[str, Any] = {"types": types, "session_key": session_key}
        delay = 0.1
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_event_id is not None:
                headers["Last-Event-ID"] = str(last_event_id)
            req = urllib.request.Request(self._url("/v1/events", query),
                                         headers=self._headers(False, headers))
            try:
                with urllib.request.urlopen(req, timeout=max(self.timeout, 60)) as resp:
                    for event in _read_events(resp):
                        delay = 0.1
                        if event[0] is not None:
                            last_event_id = event[0]
                        yield event
            except urllib.error.HTTPError as e:
                err = self._http_error(e)
                if err.status != 503:
                    raise err from None
                if err.retry_after is not None:
                    time.sleep(err.retry_after)
            except (OSError, http.client.HTTPException):
                pass  # reconnect below
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _read_events(resp) -> Iterator[Tuple[Optional[int], str, Any]]:
    """Parses a text/event-stream body (comments and unknown fields ignored)."""
    event_id: Optional[int] = None
    event_type = "message"
    data: List[str] = []
    while True:
        line = resp.readline()
        if not line:
            return
        line = line.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data:
                payload = "\n".join(data)
                try:
                    decoded = json.loads(payload)
                except ValueError:
                    decoded = payload
                yield event_id, event_type, decoded
            event_id, event_type, data = None, "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "id":
            try:
                event_id = int(value)
            except ValueError:
                event_id = None
        elif name == "event":
            event_type = value
        elif name == "data":
            data.append(value)
