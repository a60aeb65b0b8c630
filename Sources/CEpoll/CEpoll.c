#define _GNU_SOURCE
#include <sys/socket.h>
#include "CEpoll.h"

int lakehouse_accept4(int listener, int flags) {
    return accept4(listener, 0, 0, flags);
}
