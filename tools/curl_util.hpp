#pragma once

// The small libcurl glue shared by the CLI's HTTP client and the load
// generator's HTTP target.

#include <curl/curl.h>

#include <cstddef>
#include <string>

namespace switchboard::tools::curl {

struct easy_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct slist_deleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

/// CURLOPT_WRITEFUNCTION appending to the std::string in CURLOPT_WRITEDATA.
inline std::size_t append_body(char* data, std::size_t size, std::size_t n,
                               void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

/// curl_global_init once per process (curl_global_init itself is not
/// thread-safe; a function-local static is).
inline void global_init() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

} // namespace switchboard::tools::curl
