// `switchboard key SOURCE_JSON`: prints the session key of a source.

#include "core/session_key.hpp"
#include "core/source.hpp"
#include "tools/commands.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace switchboard::tools {

void register_key_command(CLI::App& app, command_list& out) {
  auto json_text = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("key", "Print the session key of a source "
                                        "(no server needed)");
  sub->add_option("SOURCE_JSON", *json_text, "The source as a JSON object")
    ->required();
  out.push_back({sub, [json_text] {
                   auto j = nlohmann::json::parse(*json_text, nullptr, false);
                   if (j.is_discarded()) {
                     std::cerr << "source: malformed JSON\n";
                     return 1;
                   }
                   auto src = core::decode_source(j);
                   if (!src) {
                     std::cerr << src.err().message << "\n";
                     return 1;
                   }
                   std::cout
                     << core::build_session_key(*src, core::key_settings{})
                     << "\n";
                   return 0;
                 }});
}

} // namespace switchboard::tools
