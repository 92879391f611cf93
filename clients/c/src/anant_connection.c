/*
 * anant_connection.c: the socket under a client. Dials HOST:PORT within a timeout and
 * moves whole frames (docs/wire.md: a 4-byte big-endian length, then that many bytes)
 * within a deadline. The socket is non-blocking; every wait is a poll() bounded by the
 * deadline. Any failure here closes the socket: after a short read or a refused frame
 * the byte stream can no longer be trusted.
 */
#define _POSIX_C_SOURCE 200809L

#include "anant_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/** The first allocation for a frame's body; it grows as bytes arrive, up to the frame's length. */
#define FIRST_CHUNK (64u << 10)

anant_status anant__parse_address(const char *address, char **host, char **port) {
    *host = NULL;
    *port = NULL;
    anant_status status = anant__check_text("the address", address, 1024, false);
    if (!ANANT_IS_OK(status)) return status;
    const char *host_start = address, *host_end, *colon;
    if (address[0] == '[') {
        host_start = address + 1;
        host_end = strchr(host_start, ']');
        if (host_end == NULL || host_end[1] != ':') goto bad;
        colon = host_end + 1;
    } else {
        colon = strrchr(address, ':');
        if (colon == NULL || strchr(address, ':') != colon) goto bad;
        host_end = colon;
    }
    if (host_end == host_start) goto bad;
    const char *digits = colon + 1;
    size_t count = strlen(digits);
    if (count == 0 || count > 5 || strspn(digits, "0123456789") != count) goto bad;
    long number = strtol(digits, NULL, 10);
    if (number < 1 || number > 65535) goto bad;
    size_t host_length = (size_t)(host_end - host_start);
    *host = malloc(host_length + 1);
    *port = anant__strdup(digits);
    if (*host == NULL || *port == NULL) {
        free(*host);
        free(*port);
        *host = *port = NULL;
        return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory");
    }
    memcpy(*host, host_start, host_length);
    (*host)[host_length] = '\0';
    return anant__ok();
bad:
    return anant__status(ANANT_INVALID_ARGUMENT, "'%s' is not an address: give HOST:PORT (or [IPV6]:PORT), port 1 to 65535",
                         address);
}

/** Connects one resolved address, non-blocking, within the deadline: the socket, or -1 with errno. */
static int dial_one(const struct addrinfo *address, anant__deadline deadline) {
    int fd = socket(address->ai_family, address->ai_socktype, address->ai_protocol);
    if (fd < 0) return -1;
    /* fcntl rather than SOCK_NONBLOCK | SOCK_CLOEXEC: portable beyond Linux. */
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) goto fail;
#ifdef SO_NOSIGPIPE
    int no_sigpipe = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &no_sigpipe, sizeof no_sigpipe);
#endif
    if (connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) goto fail;
        struct pollfd waiting = {.fd = fd, .events = POLLOUT};
        int ready;
        do ready = poll(&waiting, 1, anant__deadline_left(deadline));
        while (ready < 0 && errno == EINTR);
        if (ready == 0) errno = ETIMEDOUT;
        if (ready <= 0) goto fail;
        int error = 0;
        socklen_t size = sizeof error;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) goto fail;
        if (error != 0) {
            errno = error;
            goto fail;
        }
    }
    int on = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return fd;
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

anant_status anant__dial(anant_client *client) {
    anant__hang_up(client);
    anant__deadline deadline = anant__deadline_in(client->connect_timeout_ms);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    struct addrinfo *addresses = NULL;
    int resolved = getaddrinfo(client->host, client->port, &hints, &addresses);
    if (resolved != 0) {
        return anant__status(ANANT_UNAVAILABLE, "cannot resolve '%s': %s", client->host, gai_strerror(resolved));
    }
    int error = ECONNREFUSED;
    for (const struct addrinfo *address = addresses; address != NULL; address = address->ai_next) {
        int fd = dial_one(address, deadline);
        if (fd >= 0) {
            client->fd = fd;
            freeaddrinfo(addresses);
            return anant__ok();
        }
        error = errno;
        if (anant__deadline_left(deadline) == 0) break;
    }
    freeaddrinfo(addresses);
    if (error == ETIMEDOUT) {
        return anant__status(ANANT_DEADLINE_EXCEEDED, "no connection to %s:%s within %d ms", client->host, client->port,
                             client->connect_timeout_ms);
    }
    return anant__status(ANANT_UNAVAILABLE, "cannot connect to %s:%s: %s", client->host, client->port, strerror(error));
}

void anant__hang_up(anant_client *client) {
    if (client->fd >= 0) close(client->fd);
    client->fd = -1;
}

/** Waits until the socket is readable or writable; the status when it cannot be. */
static anant_status wait_for(anant_client *client, short events, anant__deadline deadline) {
    struct pollfd waiting = {.fd = client->fd, .events = events};
    for (;;) {
        int ready = poll(&waiting, 1, anant__deadline_left(deadline));
        if (ready > 0) return anant__ok();
        if (ready == 0) return anant__status(ANANT_DEADLINE_EXCEEDED, "the call's deadline passed");
        if (errno != EINTR) return anant__status(ANANT_UNAVAILABLE, "waiting on the connection failed: %s", strerror(errno));
    }
}

static anant_status write_all(anant_client *client, const uint8_t *bytes, size_t length, anant__deadline deadline) {
    while (length > 0) {
        ssize_t sent = send(client->fd, bytes, length, MSG_NOSIGNAL);
        if (sent > 0) {
            bytes += sent;
            length -= (size_t)sent;
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            anant_status status = wait_for(client, POLLOUT, deadline);
            if (!ANANT_IS_OK(status)) return status;
        } else {
            return anant__status(ANANT_UNAVAILABLE, "the connection to the gateway closed while sending: %s",
                                 sent < 0 ? strerror(errno) : "no progress");
        }
    }
    return anant__ok();
}

anant_status anant__write_frame(anant_client *client, const uint8_t *body, size_t length, anant__deadline deadline) {
    if (client->fd < 0) return anant__status(ANANT_UNAVAILABLE, "not connected");
    if (length == 0 || length > UINT32_MAX) {
        return anant__status(ANANT_RESOURCE_EXHAUSTED, "a frame of %zu bytes cannot be sent (1 byte to 4 GiB)", length);
    }
    uint8_t header[4] = {(uint8_t)(length >> 24), (uint8_t)(length >> 16), (uint8_t)(length >> 8), (uint8_t)length};
    anant_status status = write_all(client, header, sizeof header, deadline);
    if (ANANT_IS_OK(status)) status = write_all(client, body, length, deadline);
    if (!ANANT_IS_OK(status)) anant__hang_up(client);
    return status;
}

/**
 * Reads exactly `length` bytes into `bytes` (short reads continue); `received` counts
 * what arrived, to report a truncated frame.
 */
static anant_status read_exactly(anant_client *client, uint8_t *bytes, size_t length, anant__deadline deadline,
                                 size_t *received) {
    size_t done = 0;
    while (done < length) {
        ssize_t got = recv(client->fd, bytes + done, length - done, 0);
        if (got > 0) {
            done += (size_t)got;
        } else if (got == 0) {
            *received += done;
            return anant__status(ANANT_UNAVAILABLE, "the gateway closed the connection");
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            anant_status status = wait_for(client, POLLIN, deadline);
            if (!ANANT_IS_OK(status)) {
                *received += done;
                return status;
            }
        } else {
            *received += done;
            return anant__status(ANANT_UNAVAILABLE, "reading from the gateway failed: %s", strerror(errno));
        }
    }
    *received += done;
    return anant__ok();
}

/** Reads a body of `length` bytes, growing the buffer as bytes arrive, so that a lying header costs no memory. */
static anant_status read_body(anant_client *client, size_t length, anant__deadline deadline, uint8_t **body) {
    size_t capacity = length < FIRST_CHUNK ? length : FIRST_CHUNK, received = 0;
    uint8_t *buffer = malloc(capacity);
    if (buffer == NULL) return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory for a frame of %zu bytes", length);
    while (received < length) {
        if (received == capacity) {
            size_t grown = capacity > length / 2 ? length : capacity * 2;
            uint8_t *larger = realloc(buffer, grown);
            if (larger == NULL) {
                free(buffer);
                return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory for a frame of %zu bytes", length);
            }
            buffer = larger;
            capacity = grown;
        }
        anant_status status = read_exactly(client, buffer + received, capacity - received, deadline, &received);
        if (!ANANT_IS_OK(status)) {
            free(buffer);
            if (status.code == ANANT_UNAVAILABLE) {
                return anant__status(ANANT_UNAVAILABLE, "the connection ended in the middle of a frame (%zu of %zu bytes): %s",
                                     received, length, status.message);
            }
            return status;
        }
    }
    *body = buffer;
    return anant__ok();
}

anant_status anant__read_frame(anant_client *client, anant__deadline deadline, uint8_t **body, size_t *length) {
    *body = NULL;
    *length = 0;
    if (client->fd < 0) return anant__status(ANANT_UNAVAILABLE, "not connected");
    uint8_t header[4];
    size_t received = 0;
    anant_status status = read_exactly(client, header, sizeof header, deadline, &received);
    if (!ANANT_IS_OK(status)) {
        anant__hang_up(client);
        if (status.code == ANANT_UNAVAILABLE && received > 0) {
            return anant__status(ANANT_UNAVAILABLE, "the connection ended inside a frame header (%zu of 4 bytes)", received);
        }
        return status;
    }
    uint32_t size = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 | (uint32_t)header[2] << 8 | header[3];
    /* Checked before anything is buffered (docs/wire.md): the connection is then dropped. */
    if (size == 0) {
        anant__hang_up(client);
        return anant__status(ANANT_INTERNAL, "the gateway sent a frame of length 0, which the wire forbids");
    }
    if (size > client->max_frame_bytes) {
        anant__hang_up(client);
        return anant__status(ANANT_RESOURCE_EXHAUSTED,
                             "the gateway sent a frame of %u bytes, over this client's maximum of %u "
                             "(anant_set_max_frame_bytes)", size, client->max_frame_bytes);
    }
    status = read_body(client, size, deadline, body);
    if (!ANANT_IS_OK(status)) {
        anant__hang_up(client);
        return status;
    }
    *length = size;
    return anant__ok();
}
