// `loadgen --url`'s list: one URL as before, several comma-separated or
// repeated, and bad items refused with the flag and the item named.

#include "loadgen/url_list.hpp"

#include <gtest/gtest.h>

namespace lg = switchboard::loadgen;

namespace {

using list = std::vector<std::string>;

std::string error_of(const list& args) {
  auto r = lg::parse_url_list(args, "--url");
  return r ? "" : r.err().message;
}

} // namespace

TEST(LoadgenUrlListTest, OneUrlStaysAsGivenWithoutTrailingSlashes) {
  EXPECT_EQ(*lg::parse_url_list({"http://127.0.0.1:8377"}, "--url"),
            list{"http://127.0.0.1:8377"});
  EXPECT_EQ(*lg::parse_url_list({"http://localhost:1//"}, "--url"),
            list{"http://localhost:1"});
}

TEST(LoadgenUrlListTest, CommasAndRepeatsAddUpInOrder) {
  auto r = lg::parse_url_list(
    {"http://127.0.0.1:1,http://127.0.0.1:2/", "http://[::1]:3"}, "--url");
  ASSERT_TRUE(r) << r.err().message;
  EXPECT_EQ(
    *r, (list{"http://127.0.0.1:1", "http://127.0.0.1:2", "http://[::1]:3"}));
  // One server named twice is two entries (each gets its share).
  EXPECT_EQ(lg::parse_url_list({"http://h:1,http://h:1"}, "--url")->size(), 2u);
}

TEST(LoadgenUrlListTest, EmptyItemsAreNamed) {
  EXPECT_EQ(error_of({""}), "--url: item 1 is empty");
  EXPECT_EQ(error_of({"http://h:1,"}), "--url: item 2 is empty");
  EXPECT_EQ(error_of({"http://h:1,,http://h:2"}), "--url: item 2 is empty");
  EXPECT_EQ(error_of({"http://h:1", "/"}), "--url: item 2 is empty");
}

TEST(LoadgenUrlListTest, OnlyHttpHostPort) {
  for (std::string bad :
       {"https://h:1", "ftp://h:1", "h:1", "http://h", "http://:1",
        "http://h:0", "http://h:65536", "http://h:x", "http://h:1/v1",
        "http://h :1", "http://u@h:1"}) {
    EXPECT_EQ(error_of({"http://ok:1," + bad}),
              "--url: \"" + bad + "\" is not http://HOST:PORT")
      << bad;
  }
}
