"""api/openapi.json: every schema is a valid JSON Schema (2020-12), every
$ref resolves, the served document is the file, and real replies of every
GET endpoint (and the SSE events) validate against their schemas.

The OpenAPI 3.1 meta-schema is not packaged for Debian, so the document's
structure is checked here by hand (operations, parameters, responses)."""

import json
import os
import re
import warnings
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator, RefResolver

from conftest import advance, source, take

DOC_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "api", "openapi.json")
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def doc():
    with open(DOC_PATH, encoding="utf-8") as f:
        return json.load(f)


def walk(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def pointer(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


def schemas_in(doc):
    """Every schema object: components.schemas and each `schema` member."""
    for name, schema in doc["components"]["schemas"].items():
        yield ("components", "schemas", name), schema
    for path, node in walk(doc):
        if isinstance(node, dict) and "schema" in node and path[:2] != ("components", "schemas"):
            yield path + ("schema",), node["schema"]


def validator(doc, schema):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = RefResolver(base_uri="", referrer=doc)
        return Draft202012Validator(schema, resolver=resolver)


def test_every_schema_is_valid_json_schema(doc):
    count = 0
    for path, schema in schemas_in(doc):
        Draft202012Validator.check_schema(schema)
        count += 1
    assert count > 50


def test_every_ref_resolves(doc):
    refs = [(p, n["$ref"]) for p, n in walk(doc) if isinstance(n, dict) and "$ref" in n]
    assert refs
    for path, ref in refs:
        pointer(doc, ref)  # KeyError names a dangling ref


def test_document_structure(doc):
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer"}
    assert doc["security"] == [{"bearerAuth": []}]
    op_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/"), path
        params = set(re.findall(r"{(\w+)}", path))
        for method, op in item.items():
            if method not in METHODS:
                continue
            op_ids.append(op["operationId"])
            declared = {pointer(doc, p["$ref"])["name"] if "$ref" in p else p["name"]
                        for p in item.get("parameters", []) + op.get("parameters", [])
                        if (pointer(doc, p["$ref"]) if "$ref" in p else p)["in"] == "path"}
            assert declared == params, (path, method)
            responses = op["responses"]
            assert "200" in responses, (path, method)
            if op.get("security") != [] and path.startswith("/v1/"):
                for status in ("400", "401", "500", "503"):
                    assert status in responses, (path, method, status)
                error = pointer(doc, responses["401"]["$ref"])
                assert error["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}
            if "requestBody" in op:
                assert "413" in responses, (path, method)
    assert len(op_ids) == len(set(op_ids))


def test_every_sse_event_type_has_its_own_schema(doc):
    one_of = doc["components"]["schemas"]["ServerSentEvent"]["oneOf"]
    types = {pointer(doc, s["$ref"])["properties"]["event"]["const"] for s in one_of}
    assert types == {"session_created", "session_reset", "session_expired", "memory_flush",
                     "session_switched", "events_lost", "message_appended", "stats"}


def test_served_document_is_the_file(client, doc):
    assert client.openapi() == doc


# -- real replies against the schemas ----------------------------------------

def reply_schema(doc, path, method="get", media="application/json"):
    return doc["paths"][path][method]["responses"]["200"]["content"][media]["schema"]


@pytest.fixture(scope="module")
def sample(server):
    """A key with messages, a title, usage and a rewrite, on the shared server."""
    c = server.client()
    r = c.route(source("openapi-1"), "the quick fox")
    c.append(r["session_key"], "assistant", "jumps", finish_reason="stop")
    c.usage(r["session_key"], input_tokens=3, output_tokens=4, model="m")
    c.set_title(r["session_id"], "OpenAPI sample")
    return r


def get_calls(sample):
    key = quote(sample["session_key"], safe="")
    sid = sample["session_id"]
    return {
        "/v1/sessions": ("/v1/sessions", {"limit": 5}),
        "/v1/sessions/{key}": ("/v1/sessions/" + key, None),
        "/v1/sessions/{key}/transcript": ("/v1/sessions/" + key + "/transcript", None),
        "/v1/sessions/{key}/context": ("/v1/sessions/" + key + "/context", None),
        "/v1/session-ids/{id}": ("/v1/session-ids/" + sid, None),
        "/v1/session-ids/{id}/messages": ("/v1/session-ids/" + sid + "/messages", None),
        "/v1/session-ids/{id}/export": ("/v1/session-ids/" + sid + "/export", None),
        "/v1/history": ("/v1/history", None),
        "/v1/search": ("/v1/search", {"q": "quick"}),
        "/v1/usage": ("/v1/usage", {"group_by": "model"}),
        "/v1/stats": ("/v1/stats", None),
        "/v1/expiry/forecast": ("/v1/expiry/forecast", {"hours": 24}),
        "/v1/admin/loadtests": ("/v1/admin/loadtests", None),
        "/v1/openapi.json": ("/v1/openapi.json", None),
        "/healthz": ("/healthz", None),
    }


def test_every_get_endpoint_is_covered(doc, sample):
    gets = {p for p, item in doc["paths"].items() if "get" in item}
    # checked by their own tests (a stream, Prometheus text, an HTML report,
    # and /v1/cluster, 404 here: cluster mode, tests/cluster/node_test.cpp)
    streamed_or_text = {"/v1/events", "/metrics",
                        "/v1/admin/loadtests/{run_id}/report", "/v1/cluster"}
    assert gets - streamed_or_text == set(get_calls(sample))


@pytest.mark.parametrize("template", [
    "/v1/sessions", "/v1/sessions/{key}", "/v1/sessions/{key}/transcript",
    "/v1/sessions/{key}/context", "/v1/session-ids/{id}", "/v1/session-ids/{id}/messages",
    "/v1/session-ids/{id}/export", "/v1/history", "/v1/search", "/v1/usage", "/v1/stats",
    "/v1/expiry/forecast", "/v1/admin/loadtests", "/v1/openapi.json", "/healthz"])
def test_get_reply_matches_its_schema(doc, client, sample, template):
    path, query = get_calls(sample)[template]
    reply = client._request("GET", path, query=query)
    validator(doc, reply_schema(doc, template)).validate(reply)
    if isinstance(reply, dict):
        for list_name in ("sessions", "results", "rows", "buckets", "messages"):
            if list_name in reply and template not in ("/v1/usage", "/v1/admin/loadtests"):
                assert reply[list_name], (template, list_name)  # validated non-vacuously


def test_markdown_export_is_text(doc, client, sample):
    text = client.export(sample["session_id"], format="markdown")
    assert not text.lstrip().startswith("{")  # Markdown, not JSON
    validator(doc, reply_schema(doc, "/v1/session-ids/{id}/export", media="text/markdown")
              ).validate(text)
    assert "the quick fox" in text


def test_metrics_is_text(client):
    text = client._request("GET", "/metrics", text=True)
    assert "switchboard_messages_routed_total" in text


def test_entries_of_post_replies_match(doc, client):
    """POST replies that carry the same schemas as GET ones."""
    r = client.route(source("openapi-2"), "hi")
    validator(doc, reply_schema(doc, "/v1/messages", "post")).validate(r)
    key = r["session_key"]
    validator(doc, reply_schema(doc, "/v1/sessions/{key}/reset", "post")).validate(
        client.reset(key))
    validator(doc, reply_schema(doc, "/v1/sessions/{key}/messages", "post")).validate(
        client.append(key, "user", "x"))
    validator(doc, reply_schema(doc, "/v1/admin/expire", "post")).validate(client.expire())
    validator(doc, reply_schema(doc, "/v1/admin/prune", "post")).validate(
        client.prune(365, dry_run=True))


def test_events_match_their_schemas(doc, fresh_server):
    c = fresh_server.client()
    key = "agent:main:telegram:dm:ev1"
    c.route(source("ev1"), "hi")
    old = c.route(source("ev1"), "hi")["session_id"]
    c.route(source("ev1"), "new", force_new=True)
    c.switch(key, session_id=old)
    advance(c, 3 * 86400)
    c.expire()
    c.route(source("ev1"), "a new day")  # a new session after the expiry
    wanted = {"session_created", "session_reset", "session_switched", "session_expired",
              "memory_flush", "message_appended"}
    stream = c.events(types=sorted(wanted), last_event_id=0)
    # The buffered events replayed from id 0 (memory_flush only with a hook);
    # message_appended is opt-in, built only while a stream asks for it, so
    # it is caused once this stream is open.
    events = [next(stream)]
    c.append(key, "assistant", "after")
    events += take(stream, 4, until=lambda got: {e[1] for e in events + got}
                   >= wanted - {"memory_flush"})
    check = validator(doc, doc["components"]["schemas"]["ServerSentEvent"])
    for event_id, event_type, data in events:
        check.validate({"id": event_id, "event": event_type, "data": data})
