/*
 * anant_client.h: a small C client of an Anant cluster's gateway.
 *
 * The gateway speaks protobuf envelopes in length-prefixed frames over TCP
 * (docs/wire.md). This library hides the framing: connect to a gateway, present a
 * token, run an analysis on a dataset and receive its result as Arrow IPC bytes, one
 * table batch at a time, and read and write the entity metadata store.
 *
 * Conventions
 *
 * - Every function that can fail returns an `anant_status` by value: `code` is gRPC's
 *   status number (ANANT_OK = 0 on success), `code_name` its name ("NOT_FOUND"), and
 *   `message` says what happened. The struct owns no memory: nothing to free.
 * - Strings are NUL-terminated UTF-8. Input strings and arrays are only read during the
 *   call. Output that the library allocates has a matching `_free` function.
 * - A client is one TCP connection and runs one call at a time: it is not safe to use
 *   one client from two threads at once. Use one client per thread.
 * - Timeouts are in milliseconds. A call's timeout becomes its deadline on the wire
 *   (the gateway and its workers stop at it) and a local limit on every wait.
 * - A connection that breaks (closed by the gateway, a malformed or oversized frame, a
 *   local timeout) fails the call in progress with UNAVAILABLE (or DEADLINE_EXCEEDED);
 *   the next call connects again. A call is never re-sent by the library.
 * - The library never raises SIGPIPE and never writes to stdout or stderr.
 */
#ifndef ANANT_CLIENT_H
#define ANANT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version, "MAJOR.MINOR.PATCH". */
#define ANANT_CLIENT_VERSION "0.1.0"

/* MARK: Status */

/** Status codes: gRPC's codes and numbers, as `StatusCode` in envelope.proto. */
typedef enum anant_code {
    ANANT_OK = 0,
    ANANT_CANCELLED = 1,
    ANANT_UNKNOWN = 2,
    ANANT_INVALID_ARGUMENT = 3,
    ANANT_DEADLINE_EXCEEDED = 4,
    ANANT_NOT_FOUND = 5,
    ANANT_ALREADY_EXISTS = 6,
    ANANT_PERMISSION_DENIED = 7,
    ANANT_RESOURCE_EXHAUSTED = 8,
    ANANT_FAILED_PRECONDITION = 9,
    ANANT_ABORTED = 10,
    ANANT_OUT_OF_RANGE = 11,
    ANANT_UNIMPLEMENTED = 12,
    ANANT_INTERNAL = 13,
    ANANT_UNAVAILABLE = 14,
    ANANT_DATA_LOSS = 15,
    ANANT_UNAUTHENTICATED = 16
} anant_code;

/** The longest status message kept, in bytes, with its terminating NUL (longer ones are cut). */
#define ANANT_STATUS_MESSAGE_MAX 1024

/**
 * The outcome of a call.
 *
 * `code` is an `anant_code` (an int, so that codes newer than this header survive),
 * `code_name` a static string naming it ("OK", "NOT_FOUND"; "UNKNOWN_CODE" for a
 * code this library does not know), `retryable` whether the same request may succeed if
 * sent again (the server said so, or the connection closed before an answer), and
 * `message` the server's message or the library's own, never empty on failure.
 */
typedef struct anant_status {
    int code;
    const char *code_name;
    bool retryable;
    char message[ANANT_STATUS_MESSAGE_MAX];
} anant_status;

/** True when `status` (an anant_status) is success. */
#define ANANT_IS_OK(status) ((status).code == ANANT_OK)

/** The name of a status code, "NOT_FOUND" for 5; "UNKNOWN_CODE" for codes outside 0...16. Static. */
const char *anant_code_name(int code);

/* MARK: Connecting */

/** A connection to a gateway. Opaque; create with anant_connect, release with anant_close. */
typedef struct anant_client anant_client;

/** The largest frame accepted by default: 256 MiB (the gateway streams pieces of about 4 MiB). */
#define ANANT_DEFAULT_MAX_FRAME_BYTES (256u << 20)

/**
 * Connects to the gateway at `address`, "HOST:PORT" ("[v6addr]:PORT" for IPv6), within
 * `timeout_ms` milliseconds (0: 10 s). The client has no token yet
 * (anant_authenticate or anant_set_token) and no call timeout (anant_set_call_timeout).
 *
 * @param out  receives the client on success, NULL otherwise; release it with anant_close.
 * @return INVALID_ARGUMENT for an address that is not HOST:PORT, UNAVAILABLE when the
 *         host does not resolve or refuses, DEADLINE_EXCEEDED when the connection is not
 *         made in time, RESOURCE_EXHAUSTED when memory runs out.
 */
anant_status anant_connect(const char *address, int timeout_ms, anant_client **out);

/** Closes the connection and frees the client (NULL is allowed). */
void anant_close(anant_client *client);

/**
 * Sets the bearer token presented in every later request envelope, without checking it
 * (a wrong token fails the next call with UNAUTHENTICATED). NULL or "" clears it.
 *
 * @return INVALID_ARGUMENT for a token over 4096 bytes or holding a control character.
 */
anant_status anant_set_token(anant_client *client, const char *token);

/**
 * Sets the token and checks it with the gateway (one ListDatasets call, which any role
 * may make). On failure the token stays set.
 *
 * @return UNAUTHENTICATED when the gateway does not know the token; any error of a call.
 */
anant_status anant_authenticate(anant_client *client, const char *token);

/**
 * Sets the timeout of every later call, in milliseconds; 0 (the default) means none.
 *
 * @return INVALID_ARGUMENT for a negative value.
 */
anant_status anant_set_call_timeout(anant_client *client, int timeout_ms);

/**
 * Sets the largest frame the client accepts, in bytes (1 KiB to 4 GiB - 1; default
 * ANANT_DEFAULT_MAX_FRAME_BYTES). A larger frame from the gateway breaks the connection
 * before any of it is buffered: the call fails with RESOURCE_EXHAUSTED.
 *
 * @return INVALID_ARGUMENT for a value below 1 KiB.
 */
anant_status anant_set_max_frame_bytes(anant_client *client, uint32_t max_frame_bytes);

/* MARK: Operations */

/**
 * The analyses anant_run describes with an `anant_operation`; the values are the field
 * numbers of `Operation` in gateway.proto. The others (modularity, communities, report,
 * query) go through anant_run_serialized.
 */
typedef enum anant_op_kind {
    ANANT_OP_INFO = 1,           /**< counts; or a node's (`node`) or an edge's (`edge`) details */
    ANANT_OP_DEGREE = 2,         /**< `s`, `max_size`, `ids` (nodes; none: every node) */
    ANANT_OP_NEIGHBORS = 3,      /**< `s`, `ids` (nodes) */
    ANANT_OP_EDGE_NEIGHBORS = 4, /**< `s`, `ids` (edges) */
    ANANT_OP_COMPONENTS = 5,     /**< `s`, `of`, `singletons` */
    ANANT_OP_LINE_GRAPH = 6,     /**< `s`, `of` */
    ANANT_OP_DISTANCE = 7,       /**< `s`, `of`, `from_id`, `to_id` */
    ANANT_OP_DIAMETER = 8,       /**< `s`, `of`, `per_component` */
    ANANT_OP_CENTRALITY = 9,     /**< `measure`, `s`, `of`, `raw`, `normalized`, `without_singletons`, `top` */
    ANANT_OP_TOPLEXES = 10,      /**< no parameters */
    ANANT_OP_SINGLETONS = 11,    /**< no parameters */
    ANANT_OP_COLLAPSE = 12,      /**< `of`, `use_counts` */
    ANANT_OP_DUAL = 13,          /**< no parameters */
    ANANT_OP_RESTRICT = 14       /**< `of` (what `ids` name: nodes or edges), `ids` */
} anant_op_kind;

/** Which s-line graph an operation works on. ANANT_OF_DEFAULT means edges. */
typedef enum anant_vertices {
    ANANT_OF_DEFAULT = 0,
    ANANT_OF_EDGES = 1,
    ANANT_OF_NODES = 2
} anant_vertices;

/** Centrality measures (CentralityMeasure in gateway.proto). */
typedef enum anant_measure {
    ANANT_MEASURE_BETWEENNESS = 1,
    ANANT_MEASURE_CLOSENESS = 2,
    ANANT_MEASURE_HARMONIC = 3,
    ANANT_MEASURE_ECCENTRICITY = 4,
    ANANT_MEASURE_CEC = 5,
    ANANT_MEASURE_HEC = 6,
    ANANT_MEASURE_ZEC = 7,
    ANANT_MEASURE_KATZ = 8,
    ANANT_MEASURE_NODE_EDGE = 9,
    ANANT_MEASURE_CLUSTERING = 10
} anant_measure;

/**
 * A common analysis, described by value. Zero means the default for every field, so a
 * C99 designated initializer is enough:
 *
 *     anant_operation op = { .kind = ANANT_OP_CENTRALITY,
 *                            .measure = ANANT_MEASURE_BETWEENNESS, .top = 5 };
 *
 * Fields an operation does not take are ignored. The gateway validates the rest
 * (INVALID_ARGUMENT naming the field).
 */
typedef struct anant_operation {
    anant_op_kind kind;
    /** Minimum overlap; 0 means 1. */
    int64_t s;
    /** The s-line graph (components, line graph, distance, diameter, centrality,
     *  collapse), or what `ids` name (restrict). */
    anant_vertices of;
    /** Centrality: the measure (0 is refused by the gateway). */
    anant_measure measure;
    /** Centrality: at most this many vertices, best first; 0: every vertex. */
    int64_t top;
    /** Degree: count only edges of at most this size; 0: no limit. */
    int64_t max_size;
    /** Degree, neighbors, edge neighbors, restrict: the ids (`id_count` of them). */
    const char *const *ids;
    size_t id_count;
    /** Info: a node, or an edge, to describe (NULL: the counts). */
    const char *node;
    const char *edge;
    /** Distance: the two vertices. */
    const char *from_id;
    const char *to_id;
    bool singletons;         /**< components: keep singleton components */
    bool per_component;      /**< diameter: every component's diameter */
    bool raw;                /**< centrality: raw values */
    bool normalized;         /**< centrality: normalized values */
    bool without_singletons; /**< centrality: leave singletons out */
    bool use_counts;         /**< collapse: count duplicates */
} anant_operation;

/* MARK: Results */

/** The type of a scalar of a result. */
typedef enum anant_scalar_type {
    ANANT_SCALAR_NULL = 0,
    ANANT_SCALAR_BOOL = 1,
    ANANT_SCALAR_INT = 2,
    ANANT_SCALAR_DOUBLE = 3,
    ANANT_SCALAR_STRING = 4,
    ANANT_SCALAR_JSON = 5 /**< an array or object, as JSON text in `string_value` */
} anant_scalar_type;

/** A named scalar of a result ("nodes", "diameter"...). Valid during the callback only. */
typedef struct anant_scalar {
    const char *name;
    anant_scalar_type type;
    bool bool_value;
    int64_t int_value;
    double double_value;
    const char *string_value; /**< STRING and JSON; NULL otherwise */
} anant_scalar;

/**
 * One batch of a result table: the bytes of a self-contained Arrow IPC *stream* (a
 * schema, record batches, the end marker), as pyarrow.ipc.open_stream or
 * arrow::ipc::RecordBatchStreamReader read. A table's rows may come in several
 * batches, in order, every one of the same schema. Valid during the callback only.
 */
typedef struct anant_table_batch {
    const char *table;        /**< the table's name ("degrees", "components"...) */
    size_t table_index;       /**< the table's place in the result, from 0 */
    size_t batch_index;       /**< the batch's place within its table, from 0 */
    size_t piece_index;       /**< the streamed item it came in, from 0 */
    const uint8_t *arrow_ipc; /**< the Arrow IPC stream bytes */
    size_t arrow_ipc_len;
} anant_table_batch;

/**
 * What anant_run calls as the answer arrives. Either callback may be NULL. A callback
 * returns 0 to go on; anything else stops the call (the gateway is told to cancel it)
 * and anant_run returns CANCELLED. Callbacks must not call into the same client.
 */
typedef struct anant_run_handlers {
    int (*on_scalar)(void *context, const anant_scalar *scalar);
    int (*on_batch)(void *context, const anant_table_batch *batch);
    void *context;
} anant_run_handlers;

/** Where a job's time went, in nanoseconds of the gateway's clock (JobTimings). */
typedef struct anant_timings {
    uint64_t total_ns, resolve_ns, plan_ns, fan_out_ns, merge_ns, load_wait_ns, encode_ns, forward_ns;
    uint32_t tasks, workers, extra_attempts;
} anant_timings;

/** A run's summary, filled by anant_run on success (zeroed first). */
typedef struct anant_run_summary {
    char dataset[160];    /**< the dataset's name as the gateway answered it */
    uint64_t version;     /**< the version it ran on (never 0 on success) */
    size_t pieces;        /**< streamed items received */
    size_t tables;        /**< distinct tables */
    size_t batches;       /**< table batches (on_batch calls) */
    size_t scalars;       /**< scalars (on_scalar calls) */
    uint64_t arrow_bytes; /**< the Arrow IPC bytes of every batch */
    anant_timings timings;
} anant_run_summary;

/**
 * Runs `operation` on version `version` (0: the latest published) of the dataset
 * `dataset`, split into at most `parts` tasks (0: the gateway chooses; the answer is the
 * same), and streams the answer to `handlers`: the scalars first, then every table
 * batch in order. Returns once the gateway's stream ended complete.
 *
 * @param handlers  may be NULL (the answer is read and dropped).
 * @param summary   may be NULL.
 * @return OK; INVALID_ARGUMENT for a bad operation (here or at the gateway);
 *         UNAUTHENTICATED, PERMISSION_DENIED; NOT_FOUND for an unknown dataset,
 *         version, node or edge; FAILED_PRECONDITION, DEADLINE_EXCEEDED, UNAVAILABLE...;
 *         CANCELLED when a callback stopped it; INTERNAL for an answer that ended early
 *         or does not decode.
 */
anant_status anant_run(anant_client *client, const char *dataset, uint64_t version,
                       const anant_operation *operation, uint32_t parts,
                       const anant_run_handlers *handlers, anant_run_summary *summary);

/**
 * anant_run with the operation given as a serialized `anant.v1.Operation` message
 * (gateway.proto), for the operations `anant_operation` does not describe (modularity,
 * communities, report, query). The bytes are checked to decode before they are sent.
 *
 * @return INVALID_ARGUMENT for bytes that are not an Operation; otherwise as anant_run.
 */
anant_status anant_run_serialized(anant_client *client, const char *dataset, uint64_t version,
                                  const uint8_t *operation, size_t operation_len, uint32_t parts,
                                  const anant_run_handlers *handlers, anant_run_summary *summary);

/* MARK: Entity metadata */

/** Field types of a record schema (FieldType in metadata.proto). */
typedef enum anant_field_type {
    ANANT_FIELD_BOOL = 1,
    ANANT_FIELD_INT64 = 2,
    ANANT_FIELD_DOUBLE = 3,
    ANANT_FIELD_STRING = 4,
    ANANT_FIELD_JSON = 5,
    ANANT_FIELD_TIMESTAMP = 6,
    ANANT_FIELD_INT32 = 7,
    ANANT_FIELD_FLOAT = 8
} anant_field_type;

/** A field of a proposed schema. */
typedef struct anant_field {
    const char *name;
    anant_field_type type;
    bool required;
    /** The value of a record without the field, as JSON text; NULL: null. */
    const char *default_json;
} anant_field;

/**
 * Registers the next version of the schema of `kind` (RegisterSchema; a writer token).
 * Only the evolution rules of docs/services.md are allowed: the first version is free.
 *
 * @param schema_version  receives the registered version (may be NULL).
 * @return FAILED_PRECONDITION naming the rule a change breaks; PERMISSION_DENIED for
 *         a reader token.
 */
anant_status anant_meta_register_schema(anant_client *client, const char *kind,
                                        const anant_field *fields, size_t field_count,
                                        uint32_t *schema_version);

/** One change of a batch: an upsert (`values_json`, a JSON object) or, with NULL, a delete. */
typedef struct anant_record_change {
    const char *key;
    const char *values_json;
} anant_record_change;

/**
 * Applies `change_count` changes to records of `kind` atomically, as one new store
 * version (ApplyBatch; a writer token). The whole batch is checked against the kind's
 * schema first.
 *
 * @param store_version  receives the new store version (may be NULL).
 * @return NOT_FOUND for a kind without a schema; INVALID_ARGUMENT for values that do not
 *         fit it; PERMISSION_DENIED for a reader token.
 */
anant_status anant_meta_apply(anant_client *client, const char *kind,
                              const anant_record_change *changes, size_t change_count,
                              uint64_t *store_version);

/** A record as read: values through the kind's current schema. */
typedef struct anant_record {
    char *key;
    uint64_t version;  /**< the store version that wrote it */
    char *values_json; /**< a JSON object, field name to value, in schema order */
} anant_record;

/** Records read; release with anant_records_free. */
typedef struct anant_records {
    size_t count;
    anant_record *items;
} anant_records;

/**
 * Reads the records of `kind` with the given keys (GetRecords; a reader token), as of
 * store version `as_of` (0: now). Keys that do not exist are left out: `out` may hold
 * fewer records than keys, by key.
 *
 * @param out  filled on success, emptied on failure; release with anant_records_free.
 * @return NOT_FOUND for a kind without a schema.
 */
anant_status anant_meta_get(anant_client *client, const char *kind, const char *const *keys,
                            size_t key_count, uint64_t as_of, anant_records *out);

/**
 * The records of `kind` that pass `filter` (QueryRecords; AnantQuery expression text,
 * NULL or "": every record), by key, at most `limit` of them (0: no limit).
 *
 * @param out  filled on success, emptied on failure; release with anant_records_free.
 * @return INVALID_ARGUMENT for a filter that does not parse.
 */
anant_status anant_meta_query(anant_client *client, const char *kind, const char *filter,
                              uint64_t limit, anant_records *out);

/** Frees what `records` holds and empties it (NULL is allowed). */
void anant_records_free(anant_records *records);

/* MARK: Any unary call */

/**
 * A unary call of the gateway with serialized messages: `method` is the name after
 * "anant.v1.Gateway/" ("GetRecordHistory", "ListDatasets"...), `request` the serialized
 * request message of gateway.proto or metadata.proto. For calls this header does not
 * wrap, with the generated protobuf-c code under generated/.
 *
 * @param response      receives the serialized response (malloc'ed, release with
 *                      anant_free; NULL when it is empty or on failure).
 * @param response_len  receives its length.
 * @return UNIMPLEMENTED for an unknown method; the method's errors.
 */
anant_status anant_call(anant_client *client, const char *method, const uint8_t *request,
                        size_t request_len, uint8_t **response, size_t *response_len);

/** Frees memory the library handed out (anant_call's response). NULL is allowed. */
void anant_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif /* ANANT_CLIENT_H */
