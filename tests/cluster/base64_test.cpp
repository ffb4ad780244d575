// Base64 of the batch records' changesets (cluster/base64.hpp).

#include "cluster/base64.hpp"

#include <gtest/gtest.h>

namespace switchboard::cluster {
namespace {

TEST(Base64Test, EncodesTheRfcVectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, EveryByteRoundTrips) {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes += static_cast<char>(i);
  for (std::size_t cut = 0; cut < 4; ++cut) {
    auto part = bytes.substr(cut);
    auto back = base64_decode(base64_encode(part), "x");
    ASSERT_TRUE(back) << back.err().message;
    EXPECT_EQ(*back, part);
  }
}

TEST(Base64Test, MalformedTextNamesTheField) {
  for (const char* bad :
       {"Zg=", "Zg", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg="}) {
    auto r = base64_decode(bad, "record.ops[0].changeset");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.err().code, core::errc::bad_request);
    EXPECT_EQ(r.err().message, "record.ops[0].changeset: expected base64");
  }
}

} // namespace
} // namespace switchboard::cluster
