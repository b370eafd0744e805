// Linux system calls that glibc declares only under _GNU_SOURCE, which Swift's Glibc module
// does not define. Declared here and wrapped inline: no library, no C target to compile.
#ifndef BAHI_CSYSTEM_SHIM_H
#define BAHI_CSYSTEM_SHIM_H

#include <sys/socket.h>

#ifdef __linux__
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
#endif

/// accept4(2) with NONBLOCK|CLOEXEC where the kernel has it; plain accept elsewhere.
static inline int bahi_accept_nonblocking(int fd) {
#ifdef __linux__
    return accept4(fd, 0, 0, 04000 /* SOCK_NONBLOCK */ | 02000000 /* SOCK_CLOEXEC */);
#else
    return accept(fd, 0, 0);
#endif
}

#endif
