// fuzz_source: core::decode_source / decode_source_lenient on JSON parsed
// from the input, and build_session_key on every source they accept.
//
// Invariants:
// - a source the strict decoder accepts is also accepted by the lenient one,
//   with the same value (lenient is a superset: strings stay strings);
// - encode_source then decode_source_lenient gives the source back (empty
//   alt ids, which encode leaves out, come back absent);
// - for every key setting, the key is non-empty, valid UTF-8, starts with
//   "agent:main:<platform>:", and is the same when built twice.

#include "core/session_key.hpp"
#include "core/source.hpp"
#include "core/utf8.hpp"
#include "fuzz_util.hpp"

#include <nlohmann/json.hpp>

namespace {

using namespace switchboard;
using fuzz::check;

/// `from_api`: the source came through the strict decoder, so its key must
/// be addressable (the lenient one reads stored data as it is).
void check_keys(const core::source& s, bool from_api) {
  for (int bits = 0; bits < 4; ++bits) {
    core::key_settings cfg;
    cfg.group_sessions_per_user = (bits & 1) != 0;
    cfg.thread_sessions_per_user = (bits & 2) != 0;
    auto key = core::build_session_key(s, cfg);
    check(!key.empty(), "session key is empty");
    check(core::valid_utf8(key), "session key is not valid UTF-8", key);
    check(!from_api || core::valid_session_key(key),
          "an accepted source gives a key the API cannot address", key);
    auto prefix = "agent:main:" + s.platform + ":";
    check(key.rfind(prefix, 0) == 0,
          "session key lacks agent:main:<platform>:", key);
    check(core::build_session_key(s, cfg) == key,
          "session key not deterministic", key);
  }
}

/// encode_source leaves out empty alt ids: they come back absent.
core::source without_empty_alts(core::source s) {
  if (s.user_id_alt && s.user_id_alt->empty())
    s.user_id_alt.reset();
  if (s.chat_id_alt && s.chat_id_alt->empty())
    s.chat_id_alt.reset();
  return s;
}

void check_round_trip(const core::source& s) {
  auto encoded = core::encode_source(s);
  auto text =
    fuzz::dump_or_abort(encoded, "encode_source gives unprintable JSON");
  auto back = core::decode_source_lenient(encoded);
  check(back.ok(), "encode_source output rejected by decode_source_lenient",
        back.ok() ? text : back.err().message);
  check(*back == without_empty_alts(s),
        "encode/decode round trip changed the source", text);
}

void check_strict(const nlohmann::json& j) {
  auto s = core::decode_source(j);
  if (!s) {
    check(s.err().code == core::errc::bad_request,
          "strict error is not bad_request");
    check(s.err().message.rfind("source", 0) == 0,
          "strict error lacks the path", s.err().message);
    return;
  }
  check(s->platform.size() >= 1 && s->platform.size() <= 32, "platform length");
  auto lenient = core::decode_source_lenient(j);
  check(lenient.ok(), "strict accepts what lenient rejects",
        lenient.ok() ? "" : lenient.err().message);
  check(*lenient == *s, "strict and lenient decode differently");
  check_keys(*s, true);
  check_round_trip(*s);
}

void check_lenient(const nlohmann::json& j) {
  auto s = core::decode_source_lenient(j);
  if (!s) {
    check(s.err().code == core::errc::bad_request,
          "lenient error is not bad_request");
    return;
  }
  check_keys(*s, false);
  check_round_trip(*s);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  auto j = fuzz::as_json(data, size);
  if (j.is_discarded())
    return 0;
  check_strict(j);
  check_lenient(j);
  return 0;
}
