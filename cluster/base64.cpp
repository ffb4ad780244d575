#include "cluster/base64.hpp"

#include <array>
#include <cstdint>

namespace switchboard::cluster {

namespace {

constexpr std::string_view alphabet =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The value of each byte as a base64 digit, -1 for none.
constexpr std::array<std::int8_t, 256> digit_values() {
  std::array<std::int8_t, 256> v{};
  v.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    v[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return v;
}

constexpr auto digits = digit_values();

/// Appends the base64 of 1-3 bytes (`n` of them, in `chunk`'s high bits).
void encode_chunk(std::string& out, std::uint32_t chunk, std::size_t n) {
  for (std::size_t i = 0; i < 4; ++i)
    out += i <= n ? alphabet[(chunk >> (18 - 6 * i)) & 0x3f] : '=';
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t chunk = 0;
    for (std::size_t k = 0; k < 3; ++k)
      chunk =
        (chunk << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    encode_chunk(out, chunk, n);
  }
  return out;
}

core::result<std::string> base64_decode(std::string_view text,
                                        std::string_view field) {
  auto bad = [&] {
    return core::bad_request(std::string{field} + ": expected base64");
  };
  if (text.size() % 4 != 0)
    return bad();
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=')
    ++pad;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t chunk = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool padding = i >= text.size() - pad;
    auto d = digits[static_cast<unsigned char>(text[i])];
    if (!padding && d < 0)
      return bad();
    chunk = (chunk << 6) | static_cast<std::uint32_t>(padding ? 0 : d);
    if (i % 4 == 3) {
      std::size_t keep = i + 1 == text.size() ? 3 - pad : 3;
      for (std::size_t k = 0; k < keep; ++k)
        out += static_cast<char>((chunk >> (16 - 8 * k)) & 0xff);
      chunk = 0;
    }
  }
  return out;
}

} // namespace switchboard::cluster
