// Linux system calls that glibc declares only under _GNU_SOURCE, or in headers Swift's Glibc
// module leaves out (sys/epoll.h, sys/eventfd.h, sys/prctl.h). Declared here and wrapped
// inline: no library, no C target to compile.
#ifndef BAHI_CSYSTEM_SHIM_H
#define BAHI_CSYSTEM_SHIM_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>

extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

// epoll event bits as plain integers (the header spells them as an enum Swift imports
// with its own type, and EPOLLET does not fit a signed int).
#define BAHI_EPOLLIN 0x001u
#define BAHI_EPOLLOUT 0x004u
#define BAHI_EPOLLERR 0x008u
#define BAHI_EPOLLHUP 0x010u
#define BAHI_EPOLLRDHUP 0x2000u
#define BAHI_EPOLLET 0x80000000u

/// epoll_create1 with close-on-exec.
static inline int bahi_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/// epoll_ctl with the event built here: `struct epoll_event` is packed on x86-64, so Swift
/// never has to lay one out.
static inline int bahi_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}
static inline int bahi_epoll_add(int epfd, int fd, uint32_t events, uint64_t data) {
    return bahi_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, events, data);
}
static inline int bahi_epoll_del(int epfd, int fd) {
    struct epoll_event ev = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev);
}

/// A buffer for `count` events, opaque to Swift (free with `bahi_epoll_events_free`).
static inline void *bahi_epoll_events_alloc(int count) {
    return calloc((size_t)count, sizeof(struct epoll_event));
}
static inline void bahi_epoll_events_free(void *events) { free(events); }
static inline int bahi_epoll_wait(int epfd, void *events, int count, int timeout_ms) {
    return epoll_wait(epfd, (struct epoll_event *)events, count, timeout_ms);
}
static inline uint32_t bahi_epoll_event_bits(const void *events, int i) {
    return ((const struct epoll_event *)events)[i].events;
}
static inline uint64_t bahi_epoll_event_data(const void *events, int i) {
    return ((const struct epoll_event *)events)[i].data.u64;
}

/// A non-blocking, close-on-exec eventfd starting at 0.
static inline int bahi_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

/// Names the calling thread (at most 15 bytes show), so `top -H` and /proc tell loops apart.
static inline void bahi_set_thread_name(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }
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
