/*
 * anant_client.c: a client's life (connect, token, timeouts, close) and the generic
 * unary call. Operations are in anant_run.c, the entity metadata store in anant_meta.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "anant_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anant/v1/metadata.pb-c.h"

/** The connect timeout when none is given. */
#define DEFAULT_CONNECT_TIMEOUT_MS 10000

anant_status anant_connect(const char *address, int timeout_ms, anant_client **out) {
    if (out == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (timeout_ms < 0) return anant__status(ANANT_INVALID_ARGUMENT, "the connect timeout is negative");
    anant_client *client = calloc(1, sizeof *client);
    if (client == NULL) return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory");
    client->fd = -1;
    client->connect_timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
    client->max_frame_bytes = ANANT_DEFAULT_MAX_FRAME_BYTES;
    client->next_id = 1;
    anant_status status = anant__parse_address(address, &client->host, &client->port);
    if (ANANT_IS_OK(status)) status = anant__dial(client);
    if (!ANANT_IS_OK(status)) {
        anant_close(client);
        return status;
    }
    *out = client;
    return status;
}

void anant_close(anant_client *client) {
    if (client == NULL) return;
    anant__hang_up(client);
    free(client->host);
    free(client->port);
    free(client->token);
    free(client);
}

anant_status anant_set_token(anant_client *client, const char *token) {
    if (client == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "client is NULL");
    char *copy = NULL;
    if (token != NULL && token[0] != '\0') {
        anant_status status = anant__check_text("the token", token, ANANT_MAX_TOKEN_BYTES, false);
        if (!ANANT_IS_OK(status)) return status;
        for (const unsigned char *c = (const unsigned char *)token; *c != '\0'; c++) {
            if (*c < 0x20 || *c == 0x7f) {
                return anant__status(ANANT_INVALID_ARGUMENT, "the token holds a control character (a newline of its file?)");
            }
        }
        copy = anant__strdup(token);
        if (copy == NULL) return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory");
    }
    free(client->token);
    client->token = copy;
    return anant__ok();
}

anant_status anant_authenticate(anant_client *client, const char *token) {
    anant_status status = anant_set_token(client, token);
    if (!ANANT_IS_OK(status)) return status;
    Anant__V1__ListDatasetsRequest request = ANANT__V1__LIST_DATASETS_REQUEST__INIT;
    ProtobufCMessage *response = NULL;
    status = anant__unary(client, "ListDatasets", &request.base, &anant__v1__list_datasets_response__descriptor, &response);
    if (response != NULL) protobuf_c_message_free_unpacked(response, NULL);
    return status;
}

anant_status anant_set_call_timeout(anant_client *client, int timeout_ms) {
    if (client == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "client is NULL");
    if (timeout_ms < 0) return anant__status(ANANT_INVALID_ARGUMENT, "the call timeout is negative");
    client->call_timeout_ms = timeout_ms;
    return anant__ok();
}

anant_status anant_set_max_frame_bytes(anant_client *client, uint32_t max_frame_bytes) {
    if (client == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "client is NULL");
    if (max_frame_bytes < 1024) return anant__status(ANANT_INVALID_ARGUMENT, "the maximum frame is below 1 KiB");
    client->max_frame_bytes = max_frame_bytes;
    return anant__ok();
}

anant_status anant_call(anant_client *client, const char *method, const uint8_t *request, size_t request_len,
                        uint8_t **response, size_t *response_len) {
    if (response != NULL) *response = NULL;
    if (response_len != NULL) *response_len = 0;
    if (client == NULL || response == NULL || response_len == NULL) {
        return anant__status(ANANT_INVALID_ARGUMENT, "client, response and response_len must not be NULL");
    }
    if (request == NULL && request_len > 0) return anant__status(ANANT_INVALID_ARGUMENT, "request is NULL");
    anant_status status = anant__check_text("the method", method, 64, false);
    if (!ANANT_IS_OK(status)) return status;
    if (strchr(method, '/') != NULL) {
        return anant__status(ANANT_INVALID_ARGUMENT, "give the method without its service: \"GetRecords\", not \"%s\"", method);
    }
    char name[96];
    snprintf(name, sizeof name, "%s%s", ANANT_GATEWAY_PREFIX, method);
    anant__call call;
    status = anant__call_start(client, name, request, request_len, false, &call);
    if (!ANANT_IS_OK(status)) return status;
    anant__event event;
    Anant__V1__Envelope *answer = NULL;
    status = anant__call_next(client, &call, &event, &answer);
    if (!ANANT_IS_OK(status)) return status;
    if (answer->body_case == ANANT__V1__ENVELOPE__BODY_PAYLOAD && answer->payload.len > 0) {
        *response = malloc(answer->payload.len);
        if (*response == NULL) {
            status = anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory for an answer of %zu bytes", answer->payload.len);
        } else {
            memcpy(*response, answer->payload.data, answer->payload.len);
            *response_len = answer->payload.len;
        }
    }
    anant__v1__envelope__free_unpacked(answer, NULL);
    return status;
}

void anant_free(void *pointer) { free(pointer); }
