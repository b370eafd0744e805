// libpq, the PostgreSQL C client library, as Debian's libpq-dev installs it
// (pkg-config libpq: -I/usr/include/postgresql -lpq).
#include <libpq-fe.h>
