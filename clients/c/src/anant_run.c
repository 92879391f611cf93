/*
 * anant_run.c: running an operation on a dataset (Gateway/Run) and streaming its answer.
 *
 * Run answers a server stream of RunResponse items (docs/services.md, the gateway's
 * methods): the first names the dataset version and carries the result's scalars, the
 * next ones carry pieces of the result's tables (a table's rows continuing over several
 * items as Arrow IPC streams of one schema), the last the job's timings. The stream is
 * complete only when it ends with an OK END_OF_STREAM; as the Swift client does
 * (Sources/AnantClient), an answer without a version, a result or timings is refused.
 */
#define _POSIX_C_SOURCE 200809L

#include "anant_operation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anant/v1/gateway.pb-c.h"

/** Dataset names are 1 to 128 characters (docs/services.md, storage names). */
#define MAX_DATASET_NAME 128

/* MARK: The answer */

/** The tables met so far, to number them and their batches. */
typedef struct table_list {
    char **names;
    size_t *batches;
    size_t count, capacity;
} table_list;

static void tables_free(table_list *tables) {
    for (size_t i = 0; i < tables->count; i++) free(tables->names[i]);
    free(tables->names);
    free(tables->batches);
}

/** The index of the table `name`, added when new; SIZE_MAX when memory runs out. */
static size_t table_index(table_list *tables, const char *name) {
    for (size_t i = 0; i < tables->count; i++) {
        if (strcmp(tables->names[i], name) == 0) return i;
    }
    if (tables->count == tables->capacity) {
        size_t capacity = tables->capacity == 0 ? 4 : tables->capacity * 2;
        char **names = realloc(tables->names, capacity * sizeof *names);
        if (names == NULL) return SIZE_MAX;
        tables->names = names;
        size_t *batches = realloc(tables->batches, capacity * sizeof *batches);
        if (batches == NULL) return SIZE_MAX;
        tables->batches = batches;
        tables->capacity = capacity;
    }
    char *copy = anant__strdup(name);
    if (copy == NULL) return SIZE_MAX;
    tables->names[tables->count] = copy;
    tables->batches[tables->count] = 0;
    return tables->count++;
}

static anant_scalar scalar_of(const Anant__V1__NamedScalar *named) {
    anant_scalar scalar;
    memset(&scalar, 0, sizeof scalar);
    scalar.name = named->name != NULL ? named->name : "";
    const Anant__V1__ScalarValue *value = named->value;
    if (value == NULL) return scalar;
    switch (value->kind_case) {
    case ANANT__V1__SCALAR_VALUE__KIND_BOOL_VALUE: scalar.type = ANANT_SCALAR_BOOL; scalar.bool_value = value->bool_value; break;
    case ANANT__V1__SCALAR_VALUE__KIND_INT_VALUE: scalar.type = ANANT_SCALAR_INT; scalar.int_value = value->int_value; break;
    case ANANT__V1__SCALAR_VALUE__KIND_DOUBLE_VALUE: scalar.type = ANANT_SCALAR_DOUBLE; scalar.double_value = value->double_value; break;
    case ANANT__V1__SCALAR_VALUE__KIND_STRING_VALUE: scalar.type = ANANT_SCALAR_STRING; scalar.string_value = value->string_value; break;
    case ANANT__V1__SCALAR_VALUE__KIND_JSON_VALUE: scalar.type = ANANT_SCALAR_JSON; scalar.string_value = value->json_value; break;
    default: break;  /* null, or a kind newer than this library: null */
    }
    return scalar;
}

/** Hands one item's result to the handlers. */
static anant_status deliver(const Anant__V1__OperationResult *result, const anant_run_handlers *handlers,
                            table_list *tables, anant_run_summary *summary) {
    for (size_t i = 0; i < result->n_scalars; i++) {
        anant_scalar scalar = scalar_of(result->scalars[i]);
        summary->scalars++;
        if (handlers != NULL && handlers->on_scalar != NULL && handlers->on_scalar(handlers->context, &scalar) != 0) {
            return anant__status(ANANT_CANCELLED, "the scalar handler stopped the call");
        }
    }
    for (size_t i = 0; i < result->n_tables; i++) {
        const Anant__V1__NamedTable *named = result->tables[i];
        const char *name = named->name != NULL ? named->name : "";
        size_t index = table_index(tables, name);
        if (index == SIZE_MAX) return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory");
        anant_table_batch batch = {name, index, tables->batches[index]++, summary->pieces, (const uint8_t *)"", 0};
        if (named->table != NULL && named->table->arrow_ipc.data != NULL) {
            batch.arrow_ipc = named->table->arrow_ipc.data;
            batch.arrow_ipc_len = named->table->arrow_ipc.len;
        }
        summary->batches++;
        summary->arrow_bytes += batch.arrow_ipc_len;
        if (handlers != NULL && handlers->on_batch != NULL && handlers->on_batch(handlers->context, &batch) != 0) {
            return anant__status(ANANT_CANCELLED, "the batch handler stopped the call");
        }
    }
    return anant__ok();
}

static void keep_timings(const Anant__V1__JobTimings *t, anant_timings *out) {
    out->total_ns = t->total;
    out->resolve_ns = t->resolve;
    out->plan_ns = t->plan;
    out->fan_out_ns = t->fan_out;
    out->merge_ns = t->merge;
    out->load_wait_ns = t->load_wait;
    out->encode_ns = t->encode;
    out->forward_ns = t->forward;
    out->tasks = t->tasks;
    out->workers = t->workers;
    out->extra_attempts = t->extra_attempts;
}

/** Handles one item of the stream. */
static anant_status take_item(const Anant__V1__Envelope *item, const anant_run_handlers *handlers, table_list *tables,
                              anant_run_summary *summary, bool *results, bool *timings) {
    Anant__V1__RunResponse *response = anant__v1__run_response__unpack(NULL, item->payload.len, item->payload.data);
    if (response == NULL) return anant__status(ANANT_INTERNAL, "the gateway sent a stream item that is not a RunResponse");
    if (response->dataset != NULL && response->dataset->version > 0) {
        const char *name = response->dataset->name != NULL ? response->dataset->name : "";
        snprintf(summary->dataset, sizeof summary->dataset, "%s", name);
        summary->version = response->dataset->version;
    }
    anant_status status = anant__ok();
    if (response->result != NULL) {
        *results = true;
        status = deliver(response->result, handlers, tables, summary);
    }
    if (response->timings != NULL) {
        *timings = true;
        keep_timings(response->timings, &summary->timings);
    }
    summary->pieces++;
    anant__v1__run_response__free_unpacked(response, NULL);
    return status;
}

static anant_status run_request(anant_client *client, const char *dataset, uint64_t version,
                                Anant__V1__Operation *operation, uint32_t parts, const anant_run_handlers *handlers,
                                anant_run_summary *summary) {
    anant_run_summary ignored;
    if (summary == NULL) summary = &ignored;
    memset(summary, 0, sizeof *summary);
    if (client == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "client is NULL");
    anant_status status = anant__check_text("the dataset name", dataset, MAX_DATASET_NAME, false);
    if (!ANANT_IS_OK(status)) return status;

    Anant__V1__DatasetRef ref = ANANT__V1__DATASET_REF__INIT;
    ref.name = (char *)dataset;
    ref.version = version;
    Anant__V1__RunRequest request = ANANT__V1__RUN_REQUEST__INIT;
    request.dataset = &ref;
    request.operation = operation;
    request.parts = parts;
    anant__call call;
    status = anant__call_start_message(client, ANANT_GATEWAY_PREFIX "Run", &request.base, true, &call);
    if (!ANANT_IS_OK(status)) return status;

    table_list tables = {NULL, NULL, 0, 0};
    bool results = false, timings = false;
    for (;;) {
        anant__event event;
        Anant__V1__Envelope *item = NULL;
        status = anant__call_next(client, &call, &event, &item);
        if (!ANANT_IS_OK(status) || event == ANANT__DONE) {
            if (item != NULL) anant__v1__envelope__free_unpacked(item, NULL);
            break;
        }
        status = take_item(item, handlers, &tables, summary, &results, &timings);
        anant__v1__envelope__free_unpacked(item, NULL);
        if (!ANANT_IS_OK(status)) {
            anant__call_cancel(client, &call);
            break;
        }
    }
    summary->tables = tables.count;
    tables_free(&tables);
    if (ANANT_IS_OK(status) && (summary->version == 0 || !results || !timings)) {
        status = anant__status(ANANT_INTERNAL, "the gateway's answer ended early (no %s)",
                               !results ? "result" : !timings ? "timings" : "dataset version");
    }
    return status;
}

anant_status anant_run(anant_client *client, const char *dataset, uint64_t version, const anant_operation *operation,
                       uint32_t parts, const anant_run_handlers *handlers, anant_run_summary *summary) {
    if (summary != NULL) memset(summary, 0, sizeof *summary);
    anant__operation_message message;
    anant_status status = anant__build_operation(operation, &message);
    if (!ANANT_IS_OK(status)) return status;
    return run_request(client, dataset, version, &message.operation, parts, handlers, summary);
}

anant_status anant_run_serialized(anant_client *client, const char *dataset, uint64_t version,
                                  const uint8_t *operation, size_t operation_len, uint32_t parts,
                                  const anant_run_handlers *handlers, anant_run_summary *summary) {
    if (summary != NULL) memset(summary, 0, sizeof *summary);
    if (operation == NULL && operation_len > 0) return anant__status(ANANT_INVALID_ARGUMENT, "the operation is NULL");
    Anant__V1__Operation *decoded = anant__v1__operation__unpack(NULL, operation_len, operation);
    if (decoded == NULL) {
        return anant__status(ANANT_INVALID_ARGUMENT, "the %zu bytes given are not a serialized anant.v1.Operation", operation_len);
    }
    anant_status status;
    if (decoded->kind_case == ANANT__V1__OPERATION__KIND__NOT_SET) {
        status = anant__status(ANANT_INVALID_ARGUMENT, "the serialized Operation sets no operation");
    } else {
        status = run_request(client, dataset, version, decoded, parts, handlers, summary);
    }
    anant__v1__operation__free_unpacked(decoded, NULL);
    return status;
}
