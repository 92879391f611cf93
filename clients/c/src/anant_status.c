/*
 * anant_status.c: status values, code names, deadlines and small string helpers.
 */
#define _POSIX_C_SOURCE 200809L

#include "anant_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const code_names[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED",
};

const char *anant_code_name(int code) {
    if (code >= 0 && (size_t)code < sizeof code_names / sizeof code_names[0]) return code_names[code];
    return "UNKNOWN_CODE";
}

anant_status anant__ok(void) {
    anant_status status;
    status.code = ANANT_OK;
    status.code_name = code_names[0];
    status.retryable = false;
    status.message[0] = '\0';
    return status;
}

anant_status anant__status(int code, const char *format, ...) {
    anant_status status = anant__ok();
    status.code = code;
    status.code_name = anant_code_name(code);
    /* The wire marks these retryable (docs/wire.md): the server never ran the call, or
     * the connection went before the answer. */
    status.retryable = code == ANANT_UNAVAILABLE;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(status.message, sizeof status.message, format, arguments);
    va_end(arguments);
    return status;
}

anant_status anant__status_from_proto(const Anant__V1__Status *proto) {
    if (proto == NULL || proto->code == ANANT__V1__STATUS_CODE__STATUS_CODE_OK) return anant__ok();
    anant_status status = anant__ok();
    status.code = (int)proto->code;
    status.code_name = anant_code_name(status.code);
    status.retryable = proto->retryable != 0;
    const char *message = proto->message != NULL && proto->message[0] != '\0' ? proto->message : "(no message)";
    size_t length = strlen(message);
    if (length >= sizeof status.message) {
        /* Cut at a character boundary, and say so. */
        size_t end = sizeof status.message - 4;
        while (end > 0 && ((unsigned char)message[end] & 0xC0) == 0x80) end--;
        memcpy(status.message, message, end);
        memcpy(status.message + end, "...", 4);
    } else {
        memcpy(status.message, message, length + 1);
    }
    return status;
}

char *anant__strdup(const char *text) {
    size_t length = strlen(text);
    char *copy = malloc(length + 1);
    if (copy != NULL) memcpy(copy, text, length + 1);
    return copy;
}

anant_status anant__check_text(const char *what, const char *text, size_t max, bool may_be_empty) {
    if (text == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "%s is NULL", what);
    size_t length = strnlen(text, max + 1);
    if (length > max) return anant__status(ANANT_INVALID_ARGUMENT, "%s is longer than %zu bytes", what, max);
    if (length == 0 && !may_be_empty) return anant__status(ANANT_INVALID_ARGUMENT, "%s is empty", what);
    return anant__ok();
}

/* MARK: Deadlines */

static int64_t monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

anant__deadline anant__deadline_in(int timeout_ms) {
    anant__deadline deadline = {0, 0};
    if (timeout_ms <= 0) return deadline;
    deadline.monotonic_ms = monotonic_ms() + timeout_ms;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    deadline.unix_nanos = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec + (uint64_t)timeout_ms * 1000000u;
    return deadline;
}

int anant__deadline_left(anant__deadline deadline) {
    if (deadline.monotonic_ms == 0) return -1;
    int64_t left = deadline.monotonic_ms - monotonic_ms();
    if (left <= 0) return 0;
    return left > 0x7fffffff ? 0x7fffffff : (int)left;
}
