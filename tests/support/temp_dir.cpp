#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>

namespace switchboard::testing {

namespace {

std::string make_dir(const char* prefix) {
  auto pattern =
    (std::filesystem::temp_directory_path() / prefix).string() + "XXXXXX";
  return ::mkdtemp(pattern.data()) ? pattern : std::string{};
}

} // namespace

temp_dir::temp_dir() : path_(make_dir("switchboard_cli_")) {}

temp_dir::~temp_dir() {
  std::error_code ec;
  if (!path_.empty())
    std::filesystem::remove_all(path_, ec);
}

std::string make_temp_dir() {
  return make_dir("switchboard-");
}

} // namespace switchboard::testing
