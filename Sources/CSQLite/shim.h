// The SQLite C API, as Debian's libsqlite3-dev installs it.
#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call; this wrapper turns off SQLite's
// memory statistics, which otherwise take a process-wide mutex on every malloc and free.
// Must run before the library initializes (before the first connection opens); later it
// returns SQLITE_MISUSE and changes nothing.
static inline int bahi_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
