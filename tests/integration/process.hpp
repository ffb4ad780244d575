#pragma once

// Moved to tests/support/ (the switchboard_test_support library); this
// forwarding header keeps the old include path compiling.
#include "tests/support/process.hpp"
