// Linux interfaces that Swift's Glibc module does not export: epoll, eventfd, accept4.
// Nothing but system includes and one-line forwards lives here; all logic is in Swift (LakehouseKit/Net).
#ifndef LAKEHOUSE_CEPOLL_H
#define LAKEHOUSE_CEPOLL_H
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4(2) is a GNU extension hidden from the Glibc module; forwarded so accepted sockets are
/// non-blocking and close-on-exec atomically.
int lakehouse_accept4(int listener, int flags);
#endif
