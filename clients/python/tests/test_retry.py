"""Retry safety: route and append retry connection failures and 503 with the
same request_id, so a retried message is stored once, even when the server
died after storing it and before the client saw the reply."""

from conftest import Proxy, Server, new_data_dir, request_body, source
from switchboard_client import Client


def kill_and_restart(server, proxy):
    """The first reply to the client is lost: the server is SIGKILLed after
    answering (so the write was durable), the client's connection drops, and
    a new server on the same data dir takes over behind the proxy."""
    state = {"dropped": False}

    def on_response(request):
        if state["dropped"] or b" /v1/" not in request.split(b"\r\n", 1)[0]:
            return True
        state["dropped"] = True
        server.kill()
        server.start()
        proxy.upstream_port = server.port
        return False

    return on_response


def test_route_killed_mid_request_is_stored_once():
    server = Server(new_data_dir()).start()
    proxy = Proxy(server.port)
    try:
        proxy.on_response = kill_and_restart(server, proxy)
        c = Client(proxy.url, timeout=10)
        reply = c.route(source("retry1"), "stored once")
        assert reply["duplicate"] is True  # the retry got the first reply
        bodies = [request_body(r) for r in proxy.requests]
        assert len(bodies) >= 2
        assert len({b["request_id"] for b in bodies}) == 1  # one generated id
        direct = server.client()
        messages = direct.transcript("agent:main:telegram:dm:retry1")["messages"]
        assert [m["content"] for m in messages] == ["stored once"]
    finally:
        proxy.close()
        server.kill()


def test_append_killed_mid_request_is_stored_once():
    server = Server(new_data_dir()).start()
    proxy = Proxy(server.port)
    try:
        key = "agent:main:telegram:dm:retry2"
        server.client().route(source("retry2"), "question")
        proxy.on_response = kill_and_restart(server, proxy)
        c = Client(proxy.url, timeout=10)
        reply = c.append(key, "assistant", "answer", request_id="my-id-1")
        assert reply["duplicate"] is True
        assert {request_body(r)["request_id"] for r in proxy.requests} == {"my-id-1"}
        messages = server.client().transcript(key)["messages"]
        assert [m["content"] for m in messages] == ["question", "answer"]
    finally:
        proxy.close()
        server.kill()


OVERLOADED = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
              b"Retry-After: 0\r\nContent-Length: 60\r\nConnection: close\r\n\r\n"
              b'{"error": {"code": "overloaded", "message": "queue full"}}  ')


def test_503_is_retried_with_the_same_request_id(server):
    proxy = Proxy(server.port)
    try:
        proxy.fail_with = [OVERLOADED, OVERLOADED]
        c = Client(proxy.url)
        reply = c.route(source("retry3"), "after two 503s")
        assert reply["duplicate"] is False
        assert len(proxy.requests) == 3
        assert len({request_body(r)["request_id"] for r in proxy.requests}) == 1
    finally:
        proxy.close()


def test_other_calls_are_not_retried(server):
    proxy = Proxy(server.port)
    try:
        proxy.fail_with = [OVERLOADED]
        c = Client(proxy.url)
        try:
            c.sessions()
            raise AssertionError("expected a SwitchboardError")
        except Exception as e:  # noqa: BLE001
            assert (e.status, e.code) == (503, "overloaded")
            assert e.retry_after == 0
        assert len(proxy.requests) == 1
    finally:
        proxy.close()
