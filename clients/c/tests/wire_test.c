/*
 * wire_test: the client against a fake gateway that misbehaves. Each case starts a
 * thread that accepts one connection on 127.0.0.1, reads the client's request and
 * answers with chosen bytes (oversized, zero-length, truncated and garbage frames,
 * answers dripped byte by byte, pings, stale ids, early ends, silence, random bytes);
 * the test checks the status the client returns. Run it under ASan/UBSan: no case may
 * crash or leak. No cluster needed.
 */
#define _POSIX_C_SOURCE 200809L

#include <anant_client.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "anant/v1/envelope.pb-c.h"
#include "anant/v1/gateway.pb-c.h"

static int listener = -1;
static char address[64];
static int failures = 0;

#define CHECK(condition, ...)                                  \
    do {                                                       \
        if (!(condition)) {                                    \
            failures++;                                        \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);        \
            printf(__VA_ARGS__);                               \
            printf("\n");                                      \
        }                                                      \
    } while (0)

/* MARK: The fake gateway */

typedef struct server_case {
    void (*answer)(int fd, uint64_t request_id);
    uint64_t seed;
    /* What the server saw after answering, for the test to check. */
    bool saw_pong, saw_cancel;
} server_case;

static void write_raw(int fd, const void *bytes, size_t length) {
    const uint8_t *p = bytes;
    while (length > 0) {
        ssize_t sent = send(fd, p, length, MSG_NOSIGNAL);
        if (sent <= 0) return;
        p += sent;
        length -= (size_t)sent;
    }
}

/** Writes a frame a byte at a time, pausing, so that the client sees every short read. */
static void drip(int fd, const uint8_t *bytes, size_t length) {
    struct timespec pause = {0, 100000};
    for (size_t i = 0; i < length; i++) {
        write_raw(fd, bytes + i, 1);
        nanosleep(&pause, NULL);
    }
}

static size_t frame_of(const Anant__V1__Envelope *envelope, uint8_t **out) {
    size_t length = anant__v1__envelope__get_packed_size(envelope);
    uint8_t *frame = malloc(length + 4);
    frame[0] = (uint8_t)(length >> 24);
    frame[1] = (uint8_t)(length >> 16);
    frame[2] = (uint8_t)(length >> 8);
    frame[3] = (uint8_t)length;
    anant__v1__envelope__pack(envelope, frame + 4);
    *out = frame;
    return length + 4;
}

static void send_envelope(int fd, const Anant__V1__Envelope *envelope, bool dripping) {
    uint8_t *frame;
    size_t length = frame_of(envelope, &frame);
    if (dripping) drip(fd, frame, length);
    else write_raw(fd, frame, length);
    free(frame);
}

static bool read_exactly(int fd, uint8_t *bytes, size_t length, int timeout_ms) {
    size_t done = 0;
    while (done < length) {
        struct pollfd waiting = {.fd = fd, .events = POLLIN};
        if (poll(&waiting, 1, timeout_ms) <= 0) return false;
        ssize_t got = recv(fd, bytes + done, length - done, 0);
        if (got <= 0) return false;
        done += (size_t)got;
    }
    return true;
}

/** The next envelope from the client, or NULL. */
static Anant__V1__Envelope *read_envelope(int fd, int timeout_ms) {
    uint8_t header[4];
    if (!read_exactly(fd, header, 4, timeout_ms)) return NULL;
    size_t length = (size_t)header[0] << 24 | (size_t)header[1] << 16 | (size_t)header[2] << 8 | header[3];
    if (length == 0 || length > (1u << 20)) return NULL;
    uint8_t *body = malloc(length);
    Anant__V1__Envelope *envelope = NULL;
    if (read_exactly(fd, body, length, timeout_ms)) envelope = anant__v1__envelope__unpack(NULL, length, body);
    free(body);
    return envelope;
}

/** Reads what the client sends until it closes or is quiet, noting pongs and cancels. */
static void observe(int fd, server_case *c, int timeout_ms) {
    Anant__V1__Envelope *envelope;
    while ((envelope = read_envelope(fd, timeout_ms)) != NULL) {
        if (envelope->kind == ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_PONG) c->saw_pong = true;
        if (envelope->kind == ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_CANCEL) c->saw_cancel = true;
        anant__v1__envelope__free_unpacked(envelope, NULL);
    }
}

static server_case *current;

static void *serve_one(void *argument) {
    server_case *c = argument;
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) return NULL;
    Anant__V1__Envelope *request = read_envelope(fd, 5000);
    if (request != NULL) {
        current = c;
        c->answer(fd, request->request_id);
        anant__v1__envelope__free_unpacked(request, NULL);
        observe(fd, c, 200);
    }
    close(fd);
    return NULL;
}

/** Serves two connections: garbage on the first, a whole answer on the second. */
static void answer_two_items(int fd, uint64_t id);
static void *serve_two(void *argument) {
    server_case *c = argument;
    for (int round = 0; round < 2; round++) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) return NULL;
        Anant__V1__Envelope *request = read_envelope(fd, 5000);
        if (request != NULL) {
            current = c;
            if (round == 0) write_raw(fd, "\0\0\0\3\xff\xff\xff", 7);
            else answer_two_items(fd, request->request_id);
            anant__v1__envelope__free_unpacked(request, NULL);
            observe(fd, c, 200);
        }
        close(fd);
    }
    return NULL;
}

/* MARK: Answers */

static Anant__V1__Envelope envelope_of(uint64_t id, Anant__V1__EnvelopeKind kind) {
    Anant__V1__Envelope envelope = ANANT__V1__ENVELOPE__INIT;
    envelope.request_id = id;
    envelope.kind = kind;
    return envelope;
}

static void answer_oversized(int fd, uint64_t id) {
    (void)id;
    uint8_t header[4] = {0x7f, 0xff, 0xff, 0xff};
    write_raw(fd, header, 4);
    write_raw(fd, "never buffered", 14);
}

static void answer_zero_length(int fd, uint64_t id) {
    (void)id;
    write_raw(fd, "\0\0\0\0", 4);
}

static void answer_truncated_header(int fd, uint64_t id) {
    (void)id;
    write_raw(fd, "\0\0", 2);
}

static void answer_truncated_body(int fd, uint64_t id) {
    (void)id;
    uint8_t header[4] = {0, 0, 0, 100};
    write_raw(fd, header, 4);
    write_raw(fd, "0123456789", 10);
}

static void answer_garbage(int fd, uint64_t id) {
    (void)id;
    uint8_t frame[4 + 12] = {0, 0, 0, 12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    write_raw(fd, frame, sizeof frame);
}

static void answer_status(int fd, uint64_t id, int code) {
    Anant__V1__Status status = ANANT__V1__STATUS__INIT;
    status.code = (Anant__V1__StatusCode)code;
    status.message = "no dataset nosuch in the catalog";
    Anant__V1__Envelope envelope = envelope_of(id, ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_END_OF_STREAM);
    envelope.body_case = ANANT__V1__ENVELOPE__BODY_STATUS;
    envelope.status = &status;
    send_envelope(fd, &envelope, false);
}

static void answer_not_found(int fd, uint64_t id) { answer_status(fd, id, 5); }
static void answer_unknown_code(int fd, uint64_t id) { answer_status(fd, id, 42); }

/** A RunResponse item: dataset, one table batch of `arrow` bytes and, when asked, timings. */
static void send_item(int fd, uint64_t id, bool timings, bool dripping) {
    Anant__V1__DatasetRef ref = ANANT__V1__DATASET_REF__INIT;
    ref.name = "fake";
    ref.version = 3;
    Anant__V1__ArrowBatch arrow = ANANT__V1__ARROW_BATCH__INIT;
    arrow.arrow_ipc.data = (uint8_t *)"ARROW1";
    arrow.arrow_ipc.len = 6;
    Anant__V1__NamedTable table = ANANT__V1__NAMED_TABLE__INIT;
    table.name = "degrees";
    table.table = &arrow;
    Anant__V1__NamedTable *tables[] = {&table};
    Anant__V1__OperationResult result = ANANT__V1__OPERATION_RESULT__INIT;
    result.n_tables = 1;
    result.tables = tables;
    Anant__V1__JobTimings job = ANANT__V1__JOB_TIMINGS__INIT;
    job.total = 1234;
    job.tasks = 2;
    Anant__V1__RunResponse response = ANANT__V1__RUN_RESPONSE__INIT;
    response.dataset = &ref;
    response.result = &result;
    if (timings) response.timings = &job;
    size_t length = anant__v1__run_response__get_packed_size(&response);
    uint8_t *payload = malloc(length);
    anant__v1__run_response__pack(&response, payload);
    Anant__V1__Envelope envelope = envelope_of(id, ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_STREAM_ITEM);
    envelope.body_case = ANANT__V1__ENVELOPE__BODY_PAYLOAD;
    envelope.payload.data = payload;
    envelope.payload.len = length;
    send_envelope(fd, &envelope, dripping);
    free(payload);
}

static void send_end(int fd, uint64_t id, bool dripping) {
    Anant__V1__Envelope end = envelope_of(id, ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_END_OF_STREAM);
    send_envelope(fd, &end, dripping);
}

/** A whole answer, byte by byte, with a ping and a stale frame in the middle. */
static void answer_dripped_stream(int fd, uint64_t id) {
    Anant__V1__Envelope ping = envelope_of(77, ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_PING);
    send_envelope(fd, &ping, true);
    send_item(fd, id + 1000, true, true);  /* another call's item: dropped */
    send_item(fd, id, false, true);
    send_item(fd, id, true, true);
    send_end(fd, id, true);
}

static void answer_bad_item(int fd, uint64_t id) {
    Anant__V1__Envelope envelope = envelope_of(id, ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_STREAM_ITEM);
    envelope.body_case = ANANT__V1__ENVELOPE__BODY_PAYLOAD;
    envelope.payload.data = (uint8_t *)"\xff\xff\xff";
    envelope.payload.len = 3;
    send_envelope(fd, &envelope, false);
}

static void answer_no_end(int fd, uint64_t id) { send_item(fd, id, true, false); }

static void answer_no_timings(int fd, uint64_t id) {
    send_item(fd, id, false, false);
    send_end(fd, id, false);
}

static void answer_two_items(int fd, uint64_t id) {
    send_item(fd, id, false, false);
    send_item(fd, id, true, false);
    send_end(fd, id, false);
}

/** Says nothing until the client gives up and closes. */
static void answer_nothing(int fd, uint64_t id) {
    (void)id;
    observe(fd, current, 5000);
}

static uint64_t fuzz_state;
static uint32_t next_random(void) {
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return (uint32_t)fuzz_state;
}

/** A valid answer with random bytes flipped, or a random frame. */
static void answer_fuzzed(int fd, uint64_t id) {
    fuzz_state = current->seed * 2654435761u + 1;
    if (next_random() % 3 == 0) {
        size_t length = next_random() % 64;
        uint8_t frame[4 + 64];
        frame[0] = frame[1] = 0;
        frame[2] = 0;
        frame[3] = (uint8_t)(length + (next_random() % 2));  /* sometimes one byte short */
        for (size_t i = 0; i < length; i++) frame[4 + i] = (uint8_t)next_random();
        write_raw(fd, frame, 4 + length);
        return;
    }
    Anant__V1__Envelope envelope = envelope_of(id, ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_STREAM_ITEM);
    uint8_t item[64];
    for (size_t i = 0; i < sizeof item; i++) item[i] = (uint8_t)next_random();
    envelope.body_case = ANANT__V1__ENVELOPE__BODY_PAYLOAD;
    envelope.payload.data = item;
    envelope.payload.len = next_random() % sizeof item;
    uint8_t *frame;
    size_t length = frame_of(&envelope, &frame);
    for (int flips = (int)(next_random() % 4); flips > 0; flips--) frame[4 + next_random() % (length - 4)] ^= (uint8_t)(1u << (next_random() % 8));
    write_raw(fd, frame, length);
    free(frame);
    send_end(fd, id, false);
}

/* MARK: Cases */

static int batches_seen;
static int count_batch(void *context, const anant_table_batch *batch) {
    (void)context;
    if (batch->arrow_ipc_len == 6 && memcmp(batch->arrow_ipc, "ARROW1", 6) == 0) batches_seen++;
    return 0;
}
static int stop_at_first_batch(void *context, const anant_table_batch *batch) {
    (void)context;
    (void)batch;
    return 1;
}

/** Runs degree against a fake gateway answering with `answer`; the status, and what the server saw. */
static anant_status run_case(server_case *c, int (*on_batch)(void *, const anant_table_batch *), anant_run_summary *summary) {
    pthread_t thread;
    pthread_create(&thread, NULL, serve_one, c);
    anant_client *client = NULL;
    anant_status status = anant_connect(address, 2000, &client);
    if (ANANT_IS_OK(status)) {
        anant_set_token(client, "secret-token");
        anant_set_call_timeout(client, 1500);
        anant_set_max_frame_bytes(client, 1u << 20);
        anant_operation op = {.kind = ANANT_OP_DEGREE};
        anant_run_handlers handlers = {NULL, on_batch, NULL};
        batches_seen = 0;
        status = anant_run(client, "fake", 0, &op, 0, &handlers, summary);
    }
    anant_close(client);
    pthread_join(thread, NULL);
    return status;
}

static void expect(const char *name, void (*answer)(int, uint64_t), int code, const char *fragment) {
    server_case c = {answer, 0, false, false};
    anant_run_summary summary;
    anant_status status = run_case(&c, count_batch, &summary);
    CHECK(status.code == code, "%s: expected %s, got %s: %s", name, anant_code_name(code), status.code_name, status.message);
    CHECK(fragment == NULL || strstr(status.message, fragment) != NULL, "%s: message '%s' lacks '%s'", name,
          status.message, fragment);
    printf("ok   %-22s %s: %s\n", name, status.code_name, status.message);
}

int main(void) {
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in bound = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t size = sizeof bound;
    if (bind(listener, (struct sockaddr *)&bound, sizeof bound) != 0 || listen(listener, 8) != 0 ||
        getsockname(listener, (struct sockaddr *)&bound, &size) != 0) {
        perror("listen");
        return 1;
    }
    snprintf(address, sizeof address, "127.0.0.1:%u", ntohs(bound.sin_port));

    expect("oversized frame", answer_oversized, ANANT_RESOURCE_EXHAUSTED, "over this client's maximum");
    expect("zero-length frame", answer_zero_length, ANANT_INTERNAL, "length 0");
    expect("truncated header", answer_truncated_header, ANANT_UNAVAILABLE, "2 of 4 bytes");
    expect("truncated body", answer_truncated_body, ANANT_UNAVAILABLE, "10 of 100 bytes");
    expect("garbage envelope", answer_garbage, ANANT_INTERNAL, "not an Envelope");
    expect("status NOT_FOUND", answer_not_found, ANANT_NOT_FOUND, "no dataset nosuch");
    expect("unknown status code", answer_unknown_code, 42, NULL);
    expect("item not a response", answer_bad_item, ANANT_INTERNAL, "not a RunResponse");
    expect("stream without end", answer_no_end, ANANT_UNAVAILABLE, "closed");
    expect("answer without timings", answer_no_timings, ANANT_INTERNAL, "ended early");
    expect("silence", answer_nothing, ANANT_DEADLINE_EXCEEDED, "deadline");

    {   /* Byte-by-byte, with a ping to answer and another call's frame to drop. */
        server_case c = {answer_dripped_stream, 0, false, false};
        anant_run_summary summary;
        anant_status status = run_case(&c, count_batch, &summary);
        CHECK(ANANT_IS_OK(status), "dripped stream: %s: %s", status.code_name, status.message);
        CHECK(batches_seen == 2 && summary.batches == 2 && summary.version == 3 && strcmp(summary.dataset, "fake") == 0,
              "dripped stream: %d batches seen, summary %zu batches, version %llu", batches_seen, summary.batches,
              (unsigned long long)summary.version);
        CHECK(summary.timings.total_ns == 1234 && summary.timings.tasks == 2, "dripped stream: timings not kept");
        CHECK(c.saw_pong, "dripped stream: the ping was not answered");
        printf("ok   %-22s %s, %zu batches, pong %s\n", "dripped stream", status.code_name, summary.batches,
               c.saw_pong ? "sent" : "missing");
    }
    {   /* A handler that stops: CANCELLED, and the gateway hears a CANCEL. */
        server_case c = {answer_two_items, 0, false, false};
        anant_run_summary summary;
        anant_status status = run_case(&c, stop_at_first_batch, &summary);
        CHECK(status.code == ANANT_CANCELLED, "stopped: %s: %s", status.code_name, status.message);
        CHECK(c.saw_cancel, "stopped: no CANCEL frame reached the server");
        printf("ok   %-22s %s, cancel %s\n", "handler stops", status.code_name, c.saw_cancel ? "sent" : "missing");
    }
    {   /* A broken connection fails its call; the next call connects again. */
        server_case c = {NULL, 0, false, false};
        pthread_t thread;
        pthread_create(&thread, NULL, serve_two, &c);
        anant_client *client = NULL;
        anant_status first = anant_connect(address, 2000, &client), second = first;
        if (ANANT_IS_OK(first)) {
            anant_set_call_timeout(client, 1500);
            anant_operation op = {.kind = ANANT_OP_DEGREE};
            first = anant_run(client, "fake", 0, &op, 0, NULL, NULL);
            second = anant_run(client, "fake", 0, &op, 0, NULL, NULL);
        }
        anant_close(client);
        pthread_join(thread, NULL);
        CHECK(first.code == ANANT_INTERNAL && ANANT_IS_OK(second), "reconnect: first %s, then %s: %s", first.code_name,
              second.code_name, second.message);
        printf("ok   %-22s %s, then %s on a new connection\n", "reconnect", first.code_name, second.code_name);
    }
    {   /* Random frames and flipped bits: never OK with nonsense, never a crash. */
        int oks = 0;
        for (uint64_t seed = 1; seed <= 150; seed++) {
            server_case c = {answer_fuzzed, seed, false, false};
            anant_run_summary summary;
            anant_status status = run_case(&c, count_batch, &summary);
            if (ANANT_IS_OK(status)) oks++;
            CHECK(memchr(status.message, 0, sizeof status.message) != NULL, "fuzz %llu: message not terminated", (unsigned long long)seed);
        }
        /* A flipped bit can leave a decodable answer; it must then still be complete. */
        printf("ok   %-22s 150 cases, %d decoded as complete answers\n", "fuzzed answers", oks);
    }
    {   /* Arguments checked before anything is sent. */
        anant_client *client = NULL;
        anant_status status = anant_connect("no-port", 100, &client);
        CHECK(status.code == ANANT_INVALID_ARGUMENT && client == NULL, "bad address: %s", status.code_name);
        status = anant_connect("127.0.0.1:99999", 100, &client);
        CHECK(status.code == ANANT_INVALID_ARGUMENT, "bad port: %s", status.code_name);
        CHECK(strcmp(anant_code_name(16), "UNAUTHENTICATED") == 0 && strcmp(anant_code_name(99), "UNKNOWN_CODE") == 0,
              "code names");
        status = anant_run_serialized(NULL, "x", 0, (const uint8_t *)"\xff\xff", 2, 0, NULL, NULL);
        CHECK(status.code == ANANT_INVALID_ARGUMENT, "garbage Operation: %s", status.code_name);
        anant_operation bad = {.kind = ANANT_OP_DEGREE, .id_count = 2};
        status = anant_run(NULL, "x", 0, &bad, 0, NULL, NULL);
        CHECK(status.code == ANANT_INVALID_ARGUMENT, "ids NULL: %s", status.code_name);
        printf("ok   %-22s\n", "argument checks");
    }
    close(listener);
    printf("%s: %d failure(s)\n", failures == 0 ? "PASS" : "FAIL", failures);
    return failures == 0 ? 0 : 1;
}
