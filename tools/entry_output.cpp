// Readable output of one routing entry (reset, resume).

#include "tools/client.hpp"

#include <iostream>

namespace switchboard::tools {

void print_entry(const nlohmann::json& e) {
  std::vector<std::vector<std::string>> rows;
  for (const char* field :
       {"session_key", "session_id", "created_at", "updated_at", "platform",
        "chat_type", "total_tokens"})
    if (e.contains(field))
      rows.push_back({field, cell(e[field])});
  print_table({"FIELD", "VALUE"}, rows, 100);
}

} // namespace switchboard::tools
