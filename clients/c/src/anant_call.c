/*
 * anant_call.c: one call on a client's connection, in envelopes (docs/wire.md).
 *
 * A client runs one call at a time, so a call needs no table: frames of other ids are
 * answers to calls that were cancelled or timed out, and are dropped. A call's request
 * carries the token and the deadline; its answers are a RESPONSE (unary) or STREAM_ITEMs
 * and an END_OF_STREAM (server stream). Pings from the gateway are answered.
 */
#define _POSIX_C_SOURCE 200809L

#include "anant_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Packs `envelope` and writes it as one frame. */
static anant_status send_envelope(anant_client *client, const Anant__V1__Envelope *envelope, anant__deadline deadline) {
    size_t length = anant__v1__envelope__get_packed_size(envelope);
    uint8_t *frame = malloc(length > 0 ? length : 1);
    if (frame == NULL) return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory for a request of %zu bytes", length);
    anant__v1__envelope__pack(envelope, frame);
    anant_status status = anant__write_frame(client, frame, length, deadline);
    free(frame);
    return status;
}

anant_status anant__call_start(anant_client *client, const char *method, const uint8_t *payload, size_t payload_length,
                               bool streaming, anant__call *call) {
    memset(call, 0, sizeof *call);
    call->done = true;
    if (client->fd < 0) {
        anant_status status = anant__dial(client);
        if (!ANANT_IS_OK(status)) return status;
    }
    call->id = client->next_id++;
    call->streaming = streaming;
    call->deadline = anant__deadline_in(client->call_timeout_ms);

    Anant__V1__Envelope request = ANANT__V1__ENVELOPE__INIT;
    request.request_id = call->id;
    request.method = (char *)method;
    request.kind = ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_REQUEST;
    request.deadline_unix_nanos = call->deadline.unix_nanos;
    if (client->token != NULL) request.auth_token = client->token;
    /* The payload is written even when empty (a oneof member): an empty message. */
    request.body_case = ANANT__V1__ENVELOPE__BODY_PAYLOAD;
    request.payload.data = (uint8_t *)payload;
    request.payload.len = payload_length;
    anant_status status = send_envelope(client, &request, call->deadline);
    if (ANANT_IS_OK(status)) call->done = false;
    return status;
}

anant_status anant__call_start_message(anant_client *client, const char *method, const ProtobufCMessage *request,
                                       bool streaming, anant__call *call) {
    size_t length = protobuf_c_message_get_packed_size(request);
    uint8_t *payload = malloc(length > 0 ? length : 1);
    if (payload == NULL) {
        memset(call, 0, sizeof *call);
        call->done = true;
        return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory for a request of %zu bytes", length);
    }
    protobuf_c_message_pack(request, payload);
    anant_status status = anant__call_start(client, method, payload, length, streaming, call);
    free(payload);
    return status;
}

/** Answers a PING with a PONG of the same id. */
static anant_status pong(anant_client *client, uint64_t id, anant__deadline deadline) {
    Anant__V1__Envelope answer = ANANT__V1__ENVELOPE__INIT;
    answer.request_id = id;
    answer.kind = ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_PONG;
    return send_envelope(client, &answer, deadline);
}

/** Reads and decodes the next envelope of the connection. */
static anant_status read_envelope(anant_client *client, anant__deadline deadline, Anant__V1__Envelope **envelope) {
    uint8_t *frame = NULL;
    size_t length = 0;
    anant_status status = anant__read_frame(client, deadline, &frame, &length);
    if (!ANANT_IS_OK(status)) return status;
    *envelope = anant__v1__envelope__unpack(NULL, length, frame);
    free(frame);
    if (*envelope == NULL) {
        anant__hang_up(client);
        return anant__status(ANANT_INTERNAL, "the gateway sent a frame of %zu bytes that is not an Envelope", length);
    }
    return anant__ok();
}

/** What an envelope of the call means: an event, or the status that ends the call. */
static anant_status classify(const anant__call *call, const Anant__V1__Envelope *envelope, anant__event *event) {
    const Anant__V1__Status *failure =
        envelope->body_case == ANANT__V1__ENVELOPE__BODY_STATUS ? envelope->status : NULL;
    switch (envelope->kind) {
    case ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_RESPONSE:
    case ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_END_OF_STREAM:
        *event = ANANT__DONE;
        return anant__status_from_proto(failure);
    case ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_STREAM_ITEM:
        if (!call->streaming) break;
        if (envelope->body_case != ANANT__V1__ENVELOPE__BODY_PAYLOAD) {
            return anant__status(ANANT_INTERNAL, "the gateway sent a stream item without a payload");
        }
        *event = ANANT__ITEM;
        return anant__ok();
    default:
        break;
    }
    return anant__status(ANANT_INTERNAL, "the gateway answered call %llu with an envelope of kind %d",
                         (unsigned long long)call->id, (int)envelope->kind);
}

anant_status anant__call_next(anant_client *client, anant__call *call, anant__event *event,
                              Anant__V1__Envelope **envelope) {
    *envelope = NULL;
    if (call->done) return anant__status(ANANT_INTERNAL, "the call already ended");
    for (;;) {
        Anant__V1__Envelope *received = NULL;
        anant_status status = read_envelope(client, call->deadline, &received);
        if (!ANANT_IS_OK(status)) {
            call->done = true;
            /* A deadline that passed mid-frame leaves the stream unusable: start afresh. */
            if (status.code == ANANT_DEADLINE_EXCEEDED) anant__hang_up(client);
            return status;
        }
        if (received->kind == ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_PING) {
            uint64_t id = received->request_id;
            anant__v1__envelope__free_unpacked(received, NULL);
            status = pong(client, id, call->deadline);
            if (!ANANT_IS_OK(status)) {
                call->done = true;
                return status;
            }
            continue;
        }
        if (received->kind == ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_PONG || received->request_id != call->id) {
            anant__v1__envelope__free_unpacked(received, NULL);  /* a late answer to an ended call */
            continue;
        }
        status = classify(call, received, event);
        if (!ANANT_IS_OK(status) || *event == ANANT__DONE) call->done = true;
        if (!ANANT_IS_OK(status)) {
            anant__v1__envelope__free_unpacked(received, NULL);
            return status;
        }
        *envelope = received;
        return status;
    }
}

void anant__call_cancel(anant_client *client, anant__call *call) {
    if (call->done || client->fd < 0) return;
    call->done = true;
    Anant__V1__Envelope cancel = ANANT__V1__ENVELOPE__INIT;
    cancel.request_id = call->id;
    cancel.kind = ANANT__V1__ENVELOPE_KIND__ENVELOPE_KIND_CANCEL;
    /* Best effort, briefly: when it cannot be sent the connection is closed, which cancels too. */
    (void)send_envelope(client, &cancel, anant__deadline_in(1000));
}

anant_status anant__unary(anant_client *client, const char *method, const ProtobufCMessage *request,
                          const ProtobufCMessageDescriptor *response_type, ProtobufCMessage **response) {
    *response = NULL;
    char name[128];
    int written = snprintf(name, sizeof name, "%s%s", ANANT_GATEWAY_PREFIX, method);
    if (written < 0 || (size_t)written >= sizeof name) return anant__status(ANANT_INVALID_ARGUMENT, "method name too long");
    anant__call call;
    anant_status status = anant__call_start_message(client, name, request, false, &call);
    if (!ANANT_IS_OK(status)) return status;
    anant__event event;
    Anant__V1__Envelope *answer = NULL;
    status = anant__call_next(client, &call, &event, &answer);
    if (!ANANT_IS_OK(status)) return status;
    const uint8_t *data = NULL;
    size_t length = 0;
    if (answer->body_case == ANANT__V1__ENVELOPE__BODY_PAYLOAD) {
        data = answer->payload.data;
        length = answer->payload.len;
    }
    *response = protobuf_c_message_unpack(response_type, NULL, length, data);
    anant__v1__envelope__free_unpacked(answer, NULL);
    if (*response == NULL) {
        return anant__status(ANANT_INTERNAL, "the gateway's answer to %s is not a %s", method, response_type->name);
    }
    return anant__ok();
}
