#include "config/config.hpp"

#include <fstream>
#include <sstream>

namespace switchboard::config {

core::result<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return core::bad_request("token file '" + path + "': cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto token = text.str();
  constexpr const char* space = " \t\r\n\f\v";
  auto first = token.find_first_not_of(space);
  if (first == std::string::npos)
    return core::bad_request("token file '" + path + "': empty");
  auto last = token.find_last_not_of(space);
  return token.substr(first, last - first + 1);
}

} // namespace switchboard::config
