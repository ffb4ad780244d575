#pragma once

// Helpers for the config tests: a fake environment and a temporary config
// file.

#include "config/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

namespace switchboard::config::testing {

using env_map = std::map<std::string, std::string, std::less<>>;

inline env_lookup fake_env(env_map vars) {
  return [vars = std::move(vars)](
           std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end())
      return std::nullopt;
    return it->second;
  };
}

/// A file in the test's temp dir holding `text`; removed on destruction.
class temp_file {
public:
  explicit temp_file(const std::string& text, const std::string& name = "cfg") {
    path_ = std::filesystem::temp_directory_path() /
            ("switchboard_config_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter()++) + "_" + name + ".json");
    std::ofstream(path_) << text;
  }
  ~temp_file() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

/// Loads settings from `file_text` (when non-empty) and `env`.
inline core::result<core::settings> load_text(const std::string& file_text,
                                              env_map env = {},
                                              flag_overrides flags = {}) {
  load_inputs in;
  in.env = fake_env(std::move(env));
  in.flags = std::move(flags);
  if (file_text.empty())
    return load_settings(in);
  temp_file f(file_text);
  in.config_file = f.path();
  return load_settings(in);
}

/// The error message of a load that must fail ("" when it succeeded).
inline std::string load_error(const std::string& file_text, env_map env = {}) {
  auto r = load_text(file_text, std::move(env));
  return r ? std::string{} : r.err().message;
}

} // namespace switchboard::config::testing
