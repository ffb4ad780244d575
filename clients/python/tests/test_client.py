"""Every Client method against a real server, and the error mapping."""

import enum
import http.server
import threading
import uuid
from dataclasses import dataclass
from typing import Optional

import pytest

from conftest import Server, advance, new_data_dir, source, take
from switchboard_client import Client, SwitchboardError


def key_of(chat, platform="telegram"):
    return f"agent:main:{platform}:dm:{chat}"


def test_route_creates_then_reuses_the_session(client, chat):
    first = client.route(source(chat), "hello")
    assert first["created"] is True
    assert first["session_key"] == key_of(chat)
    assert isinstance(first["message_id"], int)
    assert first["duplicate"] is False
    again = client.route(source(chat), "again")
    assert again["created"] is False
    assert again["session_id"] == first["session_id"]
    only_get = client.route(source(chat))
    assert only_get["message_id"] is None
    assert [m["content"] for m in client.transcript(key_of(chat))["messages"]] == [
        "hello", "again"]


class Platform(enum.Enum):
    TELEGRAM = "telegram"


@dataclass
class GatewaySource:
    platform: Platform
    chat_id: str
    chat_type: str = "dm"
    user_id: Optional[str] = None
    chat_name: Optional[str] = None


def test_route_accepts_an_object_source_with_an_enum_platform(client, chat):
    reply = client.route(GatewaySource(Platform.TELEGRAM, chat, user_id="7"), "hi")
    assert reply["session_key"] == key_of(chat)


def test_route_force_new(client, chat):
    first = client.route(source(chat), "one")
    second = client.route(source(chat), "two", force_new=True)
    assert second["created"] is True
    assert second["session_id"] != first["session_id"]


def test_route_repeated_request_id_is_stored_once(client, chat):
    rid = "req-" + chat
    first = client.route(source(chat), "once", request_id=rid)
    again = client.route(source(chat), "once", request_id=rid)
    assert again["duplicate"] is True
    assert again["message_id"] == first["message_id"]
    assert len(client.transcript(key_of(chat))["messages"]) == 1


def test_route_platform_message_id_is_stored_once(client, chat):
    client.route(source(chat), "hi", platform_message_id="tg-1")
    again = client.route(source(chat), "hi", platform_message_id="tg-1")
    assert again["duplicate"] is True
    assert len(client.transcript(key_of(chat))["messages"]) == 1


def test_route_batch_in_order_with_item_errors(client, chat):
    reply = client.route_batch([
        {"source": source(chat), "message": {"role": "user", "content": "a"}},
        {"source": {"platform": "Bad!"}},
        {"source": source(chat), "message": {"role": "user", "content": "b"}},
    ])
    results = reply["results"]
    assert len(results) == 3
    assert results[0]["created"] is True
    assert results[1]["error"]["code"] == "bad_request"
    assert results[2]["session_id"] == results[0]["session_id"]
    assert [m["content"] for m in client.transcript(key_of(chat))["messages"]] == ["a", "b"]


def test_append_with_fields(client, chat):
    client.route(source(chat), "question")
    reply = client.append(key_of(chat), "assistant", None,
                          tool_calls=[{"id": "c1", "type": "function",
                                       "function": {"name": "f", "arguments": "{}"}}],
                          finish_reason="tool_calls")
    assert reply["duplicate"] is False
    client.append(key_of(chat), "tool", "42", tool_call_id="c1", tool_name="f")
    messages = client.transcript(key_of(chat))["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool"]
    assert messages[1]["tool_calls"][0]["id"] == "c1"
    assert messages[2]["tool_call_id"] == "c1"


def test_append_repeated_request_id_is_stored_once(client, chat):
    client.route(source(chat), "q")
    first = client.append(key_of(chat), "assistant", "a", request_id="ap-" + chat)
    again = client.append(key_of(chat), "assistant", "a", request_id="ap-" + chat)
    assert again["duplicate"] is True
    assert again["message_id"] == first["message_id"]
    assert len(client.transcript(key_of(chat))["messages"]) == 2


def test_usage_and_entry(client, chat):
    client.route(source(chat), "q")
    entry = client.usage(key_of(chat), input_tokens=10, output_tokens=5,
                         model="m1", estimated_cost_usd=0.25, cost_status="estimated")
    assert entry["total_tokens"] == 15
    assert entry["cost_status"] == "estimated"
    again = client.entry(key_of(chat))
    assert again["input_tokens"] == 10
    assert again["estimated_cost_usd"] == pytest.approx(0.25)
    assert again["origin"]["chat_id"] == chat


def test_rewrite_replaces_the_transcript(client, chat):
    client.route(source(chat), "one")
    client.append(key_of(chat), "assistant", "two")
    reply = client.rewrite(key_of(chat), [{"role": "user", "content": "only"}])
    assert reply["message_count"] == 1
    assert client.transcript(key_of(chat))["messages"] == [{"role": "user", "content": "only"}]


def test_reset_with_title(client, chat):
    first = client.route(source(chat), "hi")
    entry = client.reset(key_of(chat), title="Fresh " + chat)
    assert entry["session_id"] != first["session_id"]
    assert client.session(entry["session_id"])["title"] == "Fresh " + chat


def test_switch_by_id_and_by_title(client, chat):
    first = client.route(source(chat), "hi")
    client.set_title(first["session_id"], "Old " + chat)
    client.reset(key_of(chat))
    back = client.switch(key_of(chat), session_id=first["session_id"])
    assert back["session_id"] == first["session_id"]
    client.reset(key_of(chat))
    by_title = client.switch(key_of(chat), title="Old " + chat)
    assert by_title["session_id"] == first["session_id"]


def test_switch_to_another_keys_session_is_forbidden_unless_same_user(client, chat):
    mine = client.route(source(chat, user_id="same-" + chat), "hi")
    other_chat = chat + "x"
    other = client.route(source(other_chat, user_id="same-" + chat), "there")
    with pytest.raises(SwitchboardError) as e:
        client.switch(key_of(chat), session_id=other["session_id"])
    assert (e.value.status, e.value.code) == (403, "forbidden")
    moved = client.switch(key_of(chat), session_id=other["session_id"], scope="user")
    assert moved["session_id"] == other["session_id"]
    assert mine["session_id"] != other["session_id"]


def test_busy(client, chat):
    client.route(source(chat), "hi")
    entry = client.busy(key_of(chat), True, ttl_seconds=60)
    assert entry["busy_until"] is not None
    assert client.busy(key_of(chat), False)["busy_until"] is None


def test_context(client, chat):
    client.route(source(chat, user_name=None, user_id="+4915112345678"), "hi")
    prompt = client.context(key_of(chat))["prompt"]
    assert prompt.startswith("## Current Session Context")
    assert "+4915112345678" in prompt
    redacted = client.context(key_of(chat), redact_pii=True)["prompt"]
    assert "+4915112345678" not in redacted


def test_sessions_list_and_filters(client, chat):
    client.route(source(chat, platform="discord"), "hi")
    listed = client.sessions(limit=1000)
    assert any(e["session_key"] == key_of(chat, "discord") for e in listed["sessions"])
    assert listed["total"] >= 1
    only_discord = client.sessions(platform="discord", q=chat)
    assert [e["session_key"] for e in only_discord["sessions"]] == [key_of(chat, "discord")]


def test_history_and_user_filter(client, chat):
    reply = client.route(source(chat, platform="slack"), "history probe")
    rows = client.history(source="slack", limit=1000)["sessions"]
    assert any(r["id"] == reply["session_id"] for r in rows)
    mine = client.history(user_id="u" + chat)["sessions"]
    assert [r["id"] for r in mine] == [reply["session_id"]]
    by_key = client.history(session_key=key_of(chat, "slack"))["sessions"]
    assert [r["id"] for r in by_key] == [reply["session_id"]]


def test_search_and_key_filter(client, chat):
    word = "zebra" + chat
    reply = client.route(source(chat), f"the {word} crossed")
    hits = client.search(word)["results"]
    assert [h["session_id"] for h in hits] == [reply["session_id"]]
    assert client.search(word, roles=["assistant"])["results"] == []
    assert client.search(word, session_key=key_of(chat + "zz"))["results"] == []
    assert len(client.search(word, session_key=key_of(chat))["results"]) == 1


def test_session_title_and_conflict(client, chat):
    a = client.route(source(chat), "a")["session_id"]
    b = client.route(source(chat + "b"), "b")["session_id"]
    assert client.session(a[:-2])["id"] == a  # a unique prefix
    assert client.set_title(a, "  Title " + chat + "  ")["title"] == "Title " + chat
    with pytest.raises(SwitchboardError) as e:
        client.set_title(b, "Title " + chat)
    assert (e.value.status, e.value.code) == (409, "conflict")


def test_messages_by_session_id(client, chat):
    sid = client.route(source(chat), "by id")["session_id"]
    assert client.messages(sid)["messages"] == [{"role": "user", "content": "by id"}]


def test_export_json_and_markdown(client, chat):
    sid = client.route(source(chat), "export me")["session_id"]
    exported = client.export(sid)
    assert exported["id"] == sid
    assert [m["content"] for m in exported["messages"]] == ["export me"]
    text = client.export(sid, format="markdown")
    assert isinstance(text, str)
    assert not text.lstrip().startswith("{")  # Markdown, not JSON
    assert "export me" in text


def test_export_with_rewritten_rows(client, chat):
    sid = client.route(source(chat), "draft")["session_id"]
    client.rewrite(key_of(chat), [{"role": "user", "content": "final"}])
    assert [m["content"] for m in client.export(sid)["messages"]] == ["final"]
    rows = client.export(sid, include_inactive=True)["messages"]
    assert [(m["content"], m["active"]) for m in rows] == [("draft", 0), ("final", 1)]


def test_history_parent_filter(client, chat):
    sid = client.route(source(chat), "no children")["session_id"]
    assert client.history(parent_session_id=sid)["sessions"] == []
    with pytest.raises(SwitchboardError) as e:
        client.history(parent_session_id="../x")
    assert (e.value.status, e.value.code) == (400, "bad_request")


def test_expire_one_session(client, chat):
    sid = client.route(source(chat), "expire me")["session_id"]
    with pytest.raises(SwitchboardError) as e:
        client.expire_session(key_of(chat), session_id="20200101_000000_00000000")
    assert (e.value.status, e.value.code) == (409, "conflict")
    reply = client.expire_session(key_of(chat), session_id=sid)
    assert reply == {"session_key": key_of(chat), "session_id": sid,
                     "reason": "manual", "flushed": False, "flush_failed": False}
    assert client.entry(key_of(chat))["expiry_finalized"] is True
    with pytest.raises(SwitchboardError) as e:
        client.expire_session(key_of(chat))
    assert (e.value.status, e.value.code) == (409, "conflict")
    with pytest.raises(SwitchboardError) as e:
        client.expire_session(key_of(chat + "-none"))
    assert (e.value.status, e.value.code) == (404, "not_found")


def test_delete(client, chat):
    sid = client.route(source(chat), "bye")["session_id"]
    client.reset(key_of(chat))
    assert client.delete(sid) == {"deleted": True}
    with pytest.raises(SwitchboardError) as e:
        client.session(sid)
    assert e.value.code == "not_found"


def test_expire_after_idle(fresh_server, chat):
    c = fresh_server.client()
    c.route(source(chat), "hi")
    assert c.expire()["expired"] == 0
    advance(c, 25 * 3600)
    assert c.expire()["expired"] == 1
    assert c.entry(key_of(chat))["expiry_finalized"] is True


def test_events_stream_yields_typed_events(server, chat):
    c = server.client()
    got = []
    ready = threading.Event()

    def read():
        stream = c.events(types=["session_created", "session_reset"])
        ready.set()
        for event in stream:
            if event[2].get("session_key") == key_of(chat):
                got.append(event)
            if len(got) == 2:
                stream.close()
                return

    t = threading.Thread(target=read, daemon=True)
    t.start()
    ready.wait()
    # The subscription opens when the stream's request arrives: keep routing
    # new sessions for this chat until the reader saw two of them.
    for _ in range(200):
        c.route(source(chat), "hi", force_new=True)
        t.join(0.05)
        if not t.is_alive():
            break
    assert not t.is_alive()
    assert {e[1] for e in got} <= {"session_created", "session_reset"}
    assert all(e[2]["session_key"] == key_of(chat) for e in got)


def test_events_resume_with_last_event_id(server, chat):
    c = server.client()
    c.route(source(chat), "one", force_new=True)
    c.route(source(chat), "two", force_new=True)
    kw = {"types": ["session_created"], "session_key": key_of(chat)}
    first, second = take(c.events(last_event_id=0, **kw), 2)
    assert first[1] == second[1] == "session_created"
    assert first[0] < second[0]
    assert take(c.events(last_event_id=first[0], **kw), 1) == [second]


def test_events_reconnect_with_last_event_id():
    """The generator reconnects when the stream ends, sending the last id."""
    seen_headers = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen_headers.append(self.headers.get("Last-Event-ID"))
            n = len(seen_headers)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write((": ping\n\nid: %d\nevent: session_created\n"
                              "data: {\"n\": %d}\n\n" % (n, n)).encode())
            self.close_connection = True

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        c = Client("http://127.0.0.1:%d" % httpd.server_port)
        got = take(c.events(types=["session_created"], last_event_id=7), 3)
        assert got == [(1, "session_created", {"n": 1}), (2, "session_created", {"n": 2}),
                       (3, "session_created", {"n": 3})]
        assert seen_headers[:3] == ["7", "1", "2"]
    finally:
        httpd.shutdown()


def test_openapi_is_served_without_token():
    s = Server(new_data_dir(), token="t0ken").start()
    try:
        doc = Client(s.url).openapi()
        assert doc["openapi"] == "3.1.0"
        with pytest.raises(SwitchboardError) as e:
            Client(s.url).sessions()
        assert (e.value.status, e.value.code) == (401, "unauthorized")
        assert s.client().sessions()["sessions"] == []
    finally:
        s.kill()


# -- error mapping -----------------------------------------------------------

def test_not_found(client):
    with pytest.raises(SwitchboardError) as e:
        client.entry("agent:main:telegram:dm:nobody-" + uuid.uuid4().hex)
    assert (e.value.status, e.value.code) == (404, "not_found")
    assert e.value.message


def test_bad_request_names_the_field(client):
    with pytest.raises(SwitchboardError) as e:
        client.route({"platform": "Tele Gram", "chat_id": "1"}, "x")
    assert (e.value.status, e.value.code) == (400, "bad_request")
    assert e.value.message.startswith("source.platform")
    with pytest.raises(ValueError):
        client.route({"chat_id": "1"}, "x")  # no platform: refused locally


def test_payload_too_large(client, chat):
    with pytest.raises(SwitchboardError) as e:
        client.route(source(chat), "x" * (1024 * 1024 + 10))
    assert (e.value.status, e.value.code) == (413, "payload_too_large")


def test_unreachable_server_is_status_0():
    sock = __import__("socket").socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    c = Client(f"http://127.0.0.1:{port}", timeout=2, retries=1)
    with pytest.raises(SwitchboardError) as e:
        c.entry("k")
    assert (e.value.status, e.value.code) == (0, "unreachable")
    with pytest.raises(SwitchboardError) as e:
        c.route({"platform": "telegram", "chat_id": "1"}, "x")  # after its retry
    assert e.value.status == 0


def test_error_str_carries_status_and_code():
    e = SwitchboardError(404, "not_found", "no such key")
    assert str(e) == "404 not_found: no such key"
