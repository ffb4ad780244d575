"""switchboard_client.hermes.SessionStore driven like the Hermes gateway
drives seed 000's SessionStore: two platforms, an automatic (idle) reset, a
/reset, a /resume, usage updates and a transcript rewrite (/undo)."""

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import pytest

from conftest import advance
from switchboard_client import SwitchboardError
from switchboard_client.hermes import SessionEntry, SessionStore


class Platform(enum.Enum):  # the gateway's gateway.config.Platform
    TELEGRAM = "telegram"
    DISCORD = "discord"


@dataclass
class SessionSource:  # the gateway's gateway.session.SessionSource
    platform: Platform
    chat_id: str
    chat_name: Optional[str] = None
    chat_type: str = "dm"
    user_id: Optional[str] = None
    user_name: Optional[str] = None
    thread_id: Optional[str] = None
    chat_topic: Optional[str] = None
    user_id_alt: Optional[str] = None
    chat_id_alt: Optional[str] = None


def turn(store, source, text, answer):
    """One gateway turn: get the session, store both sides, count usage."""
    entry = store.get_or_create_session(source)
    store.append_to_transcript(entry.session_id, {"role": "user", "content": text,
                                                  "timestamp": "ignored"})
    store.append_to_transcript(entry.session_id, {"role": "assistant", "content": answer})
    store.update_session(entry.session_key, input_tokens=100, output_tokens=20,
                         last_prompt_tokens=100, model="m", estimated_cost_usd=0.01,
                         cost_status="estimated")
    return entry


def test_gateway_scenario(fresh_server):
    store = SessionStore(fresh_server.url)
    tg = SessionSource(Platform.TELEGRAM, "100", user_id="42", user_name="Ana")
    dc = {"platform": "discord", "chat_id": "200", "chat_type": "group",
          "user_id": "43", "chat_name": "Team"}

    # First contact on two platforms.
    assert store.has_any_sessions() is False
    a = turn(store, tg, "hello from telegram", "hi Ana")
    assert isinstance(a, SessionEntry)
    assert a.session_key == "agent:main:telegram:dm:100"
    assert isinstance(a.created_at, datetime) and a.created_at.tzinfo is None
    assert a.was_auto_reset is False and a.auto_reset_reason is None
    assert a.origin.user_name == "Ana" and a.platform == "telegram"
    d = turn(store, dc, "hello from discord", "hi team")
    assert d.session_key == "agent:main:discord:group:200:43"
    assert d.display_name == "Team" and d.chat_type == "group"
    assert store.has_any_sessions() is True

    # Same conversation continues; usage accumulated on the entry.
    again = store.get_or_create_session(tg)
    assert again.session_id == a.session_id
    assert (again.input_tokens, again.output_tokens, again.total_tokens) == (100, 20, 120)
    assert again.last_prompt_tokens == 100 and again.cost_status == "estimated"
    assert store.load_transcript(a.session_id) == [
        {"role": "user", "content": "hello from telegram"},
        {"role": "assistant", "content": "hi Ana"}]

    # A day of silence: the next message starts a new session (auto reset).
    advance(store.client, 25 * 3600)
    fresh = store.get_or_create_session(tg)
    assert fresh.session_id != a.session_id
    assert fresh.was_auto_reset is True
    assert fresh.auto_reset_reason == "idle"
    assert fresh.reset_had_activity is True
    assert store.get_or_create_session(tg).was_auto_reset is False  # consumed once
    store.append_to_transcript(fresh.session_id, {"role": "user", "content": "new day"})
    assert fresh.input_tokens == 0

    # Writing to the old session is refused: it is no longer the key's session.
    with pytest.raises(SwitchboardError) as e:
        store.append_to_transcript(a.session_id, {"role": "user", "content": "late"})
    assert e.value.code == "conflict"

    # /reset on discord, then /resume the old telegram conversation.
    reset = store.reset_session(d.session_key)
    assert reset.session_id != d.session_id and reset.input_tokens == 0
    assert store.reset_session("agent:main:telegram:dm:nobody") is None
    resumed = store.switch_session(tg_key := a.session_key, a.session_id)
    assert resumed.session_id == a.session_id
    assert store.get_or_create_session(tg).session_id == a.session_id
    assert store.switch_session("agent:main:telegram:dm:nobody", a.session_id) is None
    with pytest.raises(SwitchboardError) as e:  # another key's session
        store.switch_session(tg_key, reset.session_id)
    assert e.value.status == 403

    # /undo: drop the last exchange, keep the first user message.
    history = store.load_transcript(a.session_id)
    store.rewrite_transcript(a.session_id, history[:1] + [{"role": "session_meta"}])
    assert store.load_transcript(a.session_id) == [
        {"role": "user", "content": "hello from telegram"}]

    # Listing, most recently updated first; unknown keys are ignored by usage.
    advance(store.client, 600)
    store.get_or_create_session(tg)
    assert [e.session_key for e in store.list_sessions()] == [tg_key, d.session_key]
    assert [e.session_key for e in store.list_sessions(active_minutes=5)] == [tg_key]
    store.update_session("agent:main:telegram:dm:nobody", input_tokens=1)
    assert store.load_transcript("20990101_000000_deadbeef") == []


def test_session_entry_to_dict_matches_the_seed(fresh_server):
    store = SessionStore(fresh_server.url)
    entry = store.get_or_create_session({"platform": "telegram", "chat_id": "5"})
    d = entry.to_dict()
    assert set(d) == {"session_key", "session_id", "created_at", "updated_at",
                      "display_name", "platform", "chat_type", "input_tokens",
                      "output_tokens", "cache_read_tokens", "cache_write_tokens",
                      "total_tokens", "last_prompt_tokens", "estimated_cost_usd",
                      "cost_status", "origin"}
    assert datetime.fromisoformat(d["created_at"]) == entry.created_at
