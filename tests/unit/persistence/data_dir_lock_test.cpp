// data_dir_lock (SPEC 15): exclusive, names the holder's pid, released with
// the object or the process (kill -9 included).

#include "persistence/data_dir_lock.hpp"

#include "test_util.hpp"

#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

namespace switchboard::persistence::test {
namespace {

TEST(DataDirLockTest, ASecondLockIsRefusedWithTheHoldersPid) {
  temp_dir dir;
  auto first = data_dir_lock::acquire(dir.path());
  ASSERT_TRUE(first.ok()) << first.err().message;
  auto second = data_dir_lock::acquire(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.err().code, core::errc::conflict);
  EXPECT_EQ(second.err().message, "data dir " + dir.path() +
                                    " is in use by pid " +
                                    std::to_string(::getpid()));
}

TEST(DataDirLockTest, ReleasedWhenTheLockGoes) {
  temp_dir dir;
  {
    auto first = data_dir_lock::acquire(dir.path());
    ASSERT_TRUE(first.ok());
    auto moved = std::move(first).value(); // a move keeps it held
    EXPECT_FALSE(data_dir_lock::acquire(dir.path()).ok());
  }
  EXPECT_TRUE(data_dir_lock::acquire(dir.path()).ok());
}

TEST(DataDirLockTest, AKilledHolderLeavesNoStaleLock) {
  temp_dir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = data_dir_lock::acquire(dir.path());
    char c = lock.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  auto held = data_dir_lock::acquire(dir.path());
  ASSERT_FALSE(held.ok());
  EXPECT_NE(held.err().message.find("pid " + std::to_string(child)),
            std::string::npos);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_TRUE(data_dir_lock::acquire(dir.path()).ok());
  // The dead holder's pid may stay in the file: only the lock counts.
}

TEST(DataDirLockTest, AMissingDirIsAnError) {
  auto r = data_dir_lock::acquire("/nonexistent/switchboard-dir");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("switchboard.lock"), std::string::npos);
}

} // namespace
} // namespace switchboard::persistence::test
