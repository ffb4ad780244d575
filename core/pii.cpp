#include "core/pii.hpp"

#include <openssl/evp.h>

#include <array>

namespace switchboard::core {

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(),
                 nullptr) != 1)
    return {};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0x0F]);
  }
  return out;
}

std::string pii_hash_id(std::string_view value) {
  return sha256_hex(value).substr(0, 12);
}

std::string pii_hash_user_id(std::string_view value) {
  return "user_" + pii_hash_id(value);
}

std::string pii_hash_chat_id(std::string_view value) {
  std::size_t colon = value.find(':');
  if (colon != std::string_view::npos && colon > 0)
    return std::string(value.substr(0, colon)) + ":" +
           pii_hash_id(value.substr(colon + 1));
  return pii_hash_id(value);
}

} // namespace switchboard::core
