// The run_command helper itself, on programs every POSIX system has.

#include "tests/support/process.hpp"

#include <gtest/gtest.h>

namespace switchboard::testing {
namespace {

TEST(ProcessTest, MissingProgramExits127) {
  auto r = run_command({"/nonexistent/program"});
  EXPECT_EQ(r.exit_code, 127);
}

TEST(ProcessTest, CapturesBothStreamsAndTheExitCode) {
  auto r = run_command({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(ProcessTest, LargeOutputDoesNotDeadlock) {
  auto r =
    run_command({"/bin/sh", "-c",
                 "head -c 200000 /dev/zero; head -c 200000 /dev/zero >&2"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 200000u);
  EXPECT_EQ(r.err.size(), 200000u);
}

} // namespace
} // namespace switchboard::testing
