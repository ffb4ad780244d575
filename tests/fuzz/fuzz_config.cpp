// fuzz_config: config::load_settings_from_text on the input as the config
// file's text (no environment, no flags).
//
// Invariants: an error is bad_request with a message; accepted settings
// dump (dump_settings) to JSON that loads again to the same settings (the
// dump of the reloaded settings is byte-identical), as config.hpp promises.

#include "config/config.hpp"
#include "fuzz_util.hpp"

namespace {

using namespace switchboard;
using fuzz::check;

config::load_inputs no_env() {
  config::load_inputs in;
  in.env = nullptr;
  return in;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  auto in = no_env();
  auto s =
    config::load_settings_from_text(fuzz::as_text(data, size), "fuzz", in);
  if (!s) {
    check(s.err().code == core::errc::bad_request,
          "config error not bad_request", s.err().message);
    check(!s.err().message.empty(), "config error without a message");
    return 0;
  }
  auto dump = config::dump_settings(*s);
  auto again = config::load_settings_from_text(dump, "dump", in);
  check(again.ok(), "dumped settings do not load again",
        again.ok() ? dump : again.err().message + "\n" + dump);
  check(config::dump_settings(*again) == dump, "dump/load round trip differs",
        dump);
  return 0;
}
