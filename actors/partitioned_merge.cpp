#include "actors/partitioned_merge.hpp"

namespace switchboard::actors::merge {

namespace {

std::string head_of(std::string_view prefix) {
  return "ambiguous session id prefix '" + std::string{prefix} + "': ";
}

} // namespace

std::optional<std::vector<std::string>>
ambiguous_ids(std::string_view prefix, std::string_view message) {
  auto head = head_of(prefix);
  if (message.substr(0, head.size()) != head)
    return std::nullopt;
  std::vector<std::string> ids;
  auto rest = message.substr(head.size());
  while (!rest.empty()) {
    auto comma = rest.find(", ");
    ids.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{}
                                           : rest.substr(comma + 2);
  }
  return ids;
}

std::string ambiguous_message(std::string_view prefix,
                              const std::vector<std::string>& ids) {
  std::string out = head_of(prefix);
  for (std::size_t i = 0; i < ids.size(); ++i)
    out += (i ? ", " : "") + ids[i];
  return out;
}

} // namespace switchboard::actors::merge
