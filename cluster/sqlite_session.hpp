#pragma once

// <sqlite3.h> with the session extension's declarations (sqlite3session_*,
// sqlite3changeset_*). Debian's libsqlite3 (3.40) is built with them, but
// the header declares them only under these two macros.
//
// REQUIRES: included before anything else that includes <sqlite3.h> in the
// same translation unit (persistence/sqlite.hpp does): the header's include
// guard would hide the declarations otherwise. Only cluster/'s own .cpp
// files include it, right after their own header.

#ifndef SQLITE_ENABLE_SESSION
#define SQLITE_ENABLE_SESSION
#endif
#ifndef SQLITE_ENABLE_PREUPDATE_HOOK
#define SQLITE_ENABLE_PREUPDATE_HOOK
#endif
#include <sqlite3.h>

#if !defined(SQLITE_CHANGESET_ABORT)
#error "<sqlite3.h> was included before cluster/sqlite_session.hpp"
#endif
