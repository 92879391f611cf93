/*
 * anant_internal.h: what the library's files share and do not export.
 *
 * Layers, bottom up: anant_status.c (statuses), anant_connection.c (a socket: dialing,
 * whole frames in and out, within a deadline), anant_call.c (envelopes: one call's
 * request and its answers, pings, stale frames, cancel), then the public calls in
 * anant_client.c, anant_run.c (with anant_operation.c) and anant_meta.c.
 */
#ifndef ANANT_INTERNAL_H
#define ANANT_INTERNAL_H

#include "anant_client.h"

#include <protobuf-c/protobuf-c.h>

#include "anant/v1/envelope.pb-c.h"

/* Symbols shared between the library's files only: hidden in the shared library. */
#if defined(__GNUC__)
#define ANANT_HIDDEN __attribute__((visibility("hidden")))
#else
#define ANANT_HIDDEN
#endif

/** The longest token accepted, in bytes. */
#define ANANT_MAX_TOKEN_BYTES 4096
/** The method prefix of the gateway's calls. */
#define ANANT_GATEWAY_PREFIX "anant.v1.Gateway/"

struct anant_client {
    int fd;                   /* -1 while not connected */
    char *host;               /* as given, without brackets */
    char *port;
    int connect_timeout_ms;
    int call_timeout_ms;      /* 0: none */
    uint32_t max_frame_bytes;
    char *token;              /* NULL: none */
    uint64_t next_id;         /* the next request id, from 1 */
};

/* MARK: Statuses (anant_status.c) */

ANANT_HIDDEN anant_status anant__ok(void);
/** A status with a printf-style message. */
ANANT_HIDDEN anant_status anant__status(int code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/** The status a server sent (code 0 or absent: OK). */
ANANT_HIDDEN anant_status anant__status_from_proto(const Anant__V1__Status *status);
/** A NUL-terminated copy, or NULL when memory runs out. */
ANANT_HIDDEN char *anant__strdup(const char *text);
/** Whether `text` is a string the gateway may take as a name, key or id: not NULL, at most `max` bytes. */
ANANT_HIDDEN anant_status anant__check_text(const char *what, const char *text, size_t max, bool may_be_empty);

/* MARK: Deadlines */

/** When a call must end: on the monotonic clock for local waits, on the wall clock for the wire. */
typedef struct anant__deadline {
    int64_t monotonic_ms;       /* 0: none */
    uint64_t unix_nanos;        /* 0: none */
} anant__deadline;

ANANT_HIDDEN anant__deadline anant__deadline_in(int timeout_ms);
/** Milliseconds left for poll(): -1 when there is no deadline, 0 when it passed. */
ANANT_HIDDEN int anant__deadline_left(anant__deadline deadline);

/* MARK: The connection (anant_connection.c) */

/** Splits "HOST:PORT" or "[V6]:PORT" into malloc'ed host and port strings. */
ANANT_HIDDEN anant_status anant__parse_address(const char *address, char **host, char **port);
/** Connects `client->fd` to its host and port within the connect timeout. */
ANANT_HIDDEN anant_status anant__dial(anant_client *client);
/** Closes the socket, if open. */
ANANT_HIDDEN void anant__hang_up(anant_client *client);
/** Writes one frame (the 4-byte length is added); closes the connection on failure. */
ANANT_HIDDEN anant_status anant__write_frame(anant_client *client, const uint8_t *body, size_t length,
                                             anant__deadline deadline);
/** Reads one whole frame's body (malloc'ed) after checking its length; closes the connection on failure. */
ANANT_HIDDEN anant_status anant__read_frame(anant_client *client, anant__deadline deadline,
                                            uint8_t **body, size_t *length);

/* MARK: Calls (anant_call.c) */

/** One call in progress on a client. */
typedef struct anant__call {
    uint64_t id;
    bool streaming;
    bool done;
    anant__deadline deadline;
} anant__call;

/** What anant__call_next read. */
typedef enum anant__event {
    ANANT__ITEM = 1, /* a STREAM_ITEM of a server stream */
    ANANT__DONE = 2  /* a unary answer, or the OK end of a stream */
} anant__event;

/** Sends the REQUEST of `method` (a full name) with a serialized payload; connects first if needed. */
ANANT_HIDDEN anant_status anant__call_start(anant_client *client, const char *method, const uint8_t *payload,
                                            size_t payload_length, bool streaming, anant__call *call);
/** anant__call_start with the request message packed first. */
ANANT_HIDDEN anant_status anant__call_start_message(anant_client *client, const char *method,
                                                    const ProtobufCMessage *request, bool streaming,
                                                    anant__call *call);
/**
 * Reads frames until the next one of `call`: `*envelope` (free with
 * anant__v1__envelope__free_unpacked) holds its payload. A failed answer ends the call
 * with its status; pings are answered, frames of other ids dropped.
 */
ANANT_HIDDEN anant_status anant__call_next(anant_client *client, anant__call *call, anant__event *event,
                                           Anant__V1__Envelope **envelope);
/** Tells the gateway to stop `call` (when it has not ended) and forgets it. */
ANANT_HIDDEN void anant__call_cancel(anant_client *client, anant__call *call);
/**
 * A unary call of the gateway's `method` (the short name): `*response` is the decoded
 * answer, to free with protobuf_c_message_free_unpacked.
 */
ANANT_HIDDEN anant_status anant__unary(anant_client *client, const char *method, const ProtobufCMessage *request,
                                       const ProtobufCMessageDescriptor *response_type,
                                       ProtobufCMessage **response);

#endif /* ANANT_INTERNAL_H */
