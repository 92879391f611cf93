/*
 * anant_example: connects to an Anant gateway, runs an operation on a dataset, prints
 * every table batch's size and a summary, then writes and reads entity metadata.
 *
 *   anant_example --gateway HOST:PORT --token-file FILE --dataset NAME
 *                 [--op degree|components|centrality|info|toplexes] [--s N]
 *                 [--measure betweenness|closeness|harmonic] [--nodes] [--top N]
 *                 [--version N] [--parts N] [--timeout-ms N] [--save-dir DIR]
 *                 [--meta-kind KIND | --no-meta] [--no-verify] [--token TOKEN]
 *                 [--op-file FILE]
 *
 * --op-file runs the serialized anant.v1.Operation in FILE instead of --op (for example
 * `echo 'degree { s: 2 }' | protoc --encode=anant.v1.Operation -I proto
 * proto/anant/v1/gateway.proto > op.bin`).
 * --save-dir writes each batch's Arrow IPC bytes to DIR/TABLE.BATCH.arrow.
 * --no-verify sets the token without checking it first (the run then reports a bad one).
 * Exits 0 on success; on failure prints "error: CODE (N): message" and exits 1 (2 for
 * bad usage).
 */
#define _POSIX_C_SOURCE 200809L

#include <anant_client.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct options {
    const char *gateway, *token, *token_file, *dataset, *op, *measure, *save_dir, *meta_kind, *op_file;
    int64_t s, top;
    uint64_t version;
    uint32_t parts;
    int timeout_ms;
    bool nodes, meta, verify;
} options;

static int usage(const char *problem) {
    fprintf(stderr, "anant_example: %s\n"
                    "usage: anant_example --gateway HOST:PORT (--token-file FILE | --token TOKEN) --dataset NAME\n"
                    "       [--op degree|components|centrality|info|toplexes] [--s N] [--measure NAME] [--nodes]\n"
                    "       [--top N] [--version N] [--parts N] [--timeout-ms N] [--save-dir DIR]\n"
                    "       [--meta-kind KIND | --no-meta] [--no-verify] [--op-file FILE]\n", problem);
    return 2;
}

static int fail(const char *what, anant_status status) {
    printf("error: %s (%d): %s: %s\n", status.code_name, status.code, what, status.message);
    return 1;
}

static bool parse_number(const char *text, int64_t *out) {
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0) return false;
    *out = value;
    return true;
}

static int parse(int argc, char **argv, options *o) {
    *o = (options){.op = "degree", .measure = "betweenness", .meta_kind = "c_client_example", .s = 1,
                   .timeout_ms = 60000, .meta = true, .verify = true};
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        int64_t number = 0;
        if (strcmp(flag, "--nodes") == 0) { o->nodes = true; continue; }
        if (strcmp(flag, "--no-meta") == 0) { o->meta = false; continue; }
        if (strcmp(flag, "--no-verify") == 0) { o->verify = false; continue; }
        if (i + 1 >= argc) return usage("a flag lacks its value");
        const char *value = argv[++i];
        if (strcmp(flag, "--gateway") == 0) o->gateway = value;
        else if (strcmp(flag, "--token") == 0) o->token = value;
        else if (strcmp(flag, "--token-file") == 0) o->token_file = value;
        else if (strcmp(flag, "--dataset") == 0) o->dataset = value;
        else if (strcmp(flag, "--op") == 0) o->op = value;
        else if (strcmp(flag, "--measure") == 0) o->measure = value;
        else if (strcmp(flag, "--save-dir") == 0) o->save_dir = value;
        else if (strcmp(flag, "--meta-kind") == 0) o->meta_kind = value;
        else if (strcmp(flag, "--op-file") == 0) o->op_file = value;
        else if (!parse_number(value, &number)) return usage("a number flag needs a whole number >= 0");
        else if (strcmp(flag, "--s") == 0) o->s = number;
        else if (strcmp(flag, "--top") == 0) o->top = number;
        else if (strcmp(flag, "--version") == 0) o->version = (uint64_t)number;
        else if (strcmp(flag, "--parts") == 0 && number <= 256) o->parts = (uint32_t)number;
        else if (strcmp(flag, "--timeout-ms") == 0 && number <= 86400000) o->timeout_ms = (int)number;
        else return usage("unknown flag or value out of range");
    }
    if (o->gateway == NULL || o->dataset == NULL) return usage("--gateway and --dataset are required");
    if (o->token == NULL && o->token_file == NULL) return usage("give --token-file or --token");
    return 0;
}

/** The first line of `path`, without its line end, in `buffer`. */
static bool read_token(const char *path, char *buffer, size_t size) {
    FILE *file = fopen(path, "r");
    if (file == NULL) return false;
    bool ok = fgets(buffer, (int)size, file) != NULL;
    fclose(file);
    if (ok) buffer[strcspn(buffer, "\r\n")] = '\0';
    return ok && buffer[0] != '\0';
}

static bool describe(const options *o, anant_operation *op) {
    static const struct { const char *name; anant_measure measure; } measures[] = {
        {"betweenness", ANANT_MEASURE_BETWEENNESS}, {"closeness", ANANT_MEASURE_CLOSENESS},
        {"harmonic", ANANT_MEASURE_HARMONIC}, {"eccentricity", ANANT_MEASURE_ECCENTRICITY},
    };
    *op = (anant_operation){.s = o->s, .of = o->nodes ? ANANT_OF_NODES : ANANT_OF_EDGES, .top = o->top};
    if (strcmp(o->op, "degree") == 0) op->kind = ANANT_OP_DEGREE;
    else if (strcmp(o->op, "components") == 0) op->kind = ANANT_OP_COMPONENTS;
    else if (strcmp(o->op, "info") == 0) op->kind = ANANT_OP_INFO;
    else if (strcmp(o->op, "toplexes") == 0) op->kind = ANANT_OP_TOPLEXES;
    else if (strcmp(o->op, "centrality") == 0) op->kind = ANANT_OP_CENTRALITY;
    else return false;
    for (size_t i = 0; i < sizeof measures / sizeof measures[0]; i++) {
        if (strcmp(o->measure, measures[i].name) == 0) op->measure = measures[i].measure;
    }
    return op->kind != ANANT_OP_CENTRALITY || op->measure != 0;
}

/** The whole of a small file (a serialized Operation) in `buffer`; its length, or -1. */
static long read_file(const char *path, uint8_t *buffer, size_t size) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return -1;
    size_t length = fread(buffer, 1, size, file);
    bool whole = feof(file) && !ferror(file);
    fclose(file);
    return whole ? (long)length : -1;
}

/* MARK: Handlers */

typedef struct printer {
    const char *save_dir;
    int save_errors;
} printer;

static int print_scalar(void *context, const anant_scalar *scalar) {
    (void)context;
    switch (scalar->type) {
    case ANANT_SCALAR_BOOL: printf("scalar %s = %s\n", scalar->name, scalar->bool_value ? "true" : "false"); break;
    case ANANT_SCALAR_INT: printf("scalar %s = %" PRId64 "\n", scalar->name, scalar->int_value); break;
    case ANANT_SCALAR_DOUBLE: printf("scalar %s = %.17g\n", scalar->name, scalar->double_value); break;
    case ANANT_SCALAR_STRING:
    case ANANT_SCALAR_JSON: printf("scalar %s = %s\n", scalar->name, scalar->string_value); break;
    default: printf("scalar %s = null\n", scalar->name); break;
    }
    return 0;
}

static int print_batch(void *context, const anant_table_batch *batch) {
    printer *p = context;
    printf("batch table=%s table_index=%zu batch=%zu piece=%zu bytes=%zu\n", batch->table, batch->table_index,
           batch->batch_index, batch->piece_index, batch->arrow_ipc_len);
    if (p->save_dir == NULL) return 0;
    char safe[128], path[4096];
    size_t n = 0;
    for (const char *c = batch->table; *c != '\0' && n + 1 < sizeof safe; c++) {
        safe[n++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ? *c : '_';
    }
    safe[n] = '\0';
    snprintf(path, sizeof path, "%s/%s.%06zu.arrow", p->save_dir, safe, batch->batch_index);
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(batch->arrow_ipc, 1, batch->arrow_ipc_len, file) != batch->arrow_ipc_len) p->save_errors++;
    if (file != NULL && fclose(file) != 0) p->save_errors++;
    return p->save_errors > 0;  /* stop the call when the batch cannot be saved */
}

/* MARK: Metadata */

static int metadata(anant_client *client, const options *o, const anant_run_summary *summary) {
    const anant_field fields[] = {
        {"dataset", ANANT_FIELD_STRING, false, NULL},
        {"batches", ANANT_FIELD_INT64, false, NULL},
        {"arrow_bytes", ANANT_FIELD_INT64, false, NULL},
    };
    uint32_t schema_version = 0;
    anant_status status = anant_meta_register_schema(client, o->meta_kind, fields, 3, &schema_version);
    /* A second run registers the same fields again: allowed, or refused as no change. */
    if (!ANANT_IS_OK(status) && status.code != ANANT_FAILED_PRECONDITION) return fail("registering the schema", status);
    char values[2][256];
    snprintf(values[0], sizeof values[0], "{\"dataset\": \"%s\", \"batches\": %zu, \"arrow_bytes\": %" PRIu64 "}",
             summary->dataset, summary->batches, summary->arrow_bytes);
    snprintf(values[1], sizeof values[1], "{\"dataset\": \"%s\", \"batches\": %zu}", summary->dataset, summary->pieces);
    const anant_record_change changes[] = {{"last_run", values[0]}, {"last_pieces", values[1]}};
    uint64_t store_version = 0;
    status = anant_meta_apply(client, o->meta_kind, changes, 2, &store_version);
    if (!ANANT_IS_OK(status)) return fail("writing records", status);
    printf("metadata: schema %s v%u, wrote 2 records at store version %" PRIu64 "\n", o->meta_kind, schema_version,
           store_version);
    const char *keys[] = {"last_run", "last_pieces", "no_such_key"};
    anant_records records;
    status = anant_meta_get(client, o->meta_kind, keys, 3, 0, &records);
    if (!ANANT_IS_OK(status)) return fail("reading records", status);
    for (size_t i = 0; i < records.count; i++) {
        printf("record %s (store version %" PRIu64 "): %s\n", records.items[i].key, records.items[i].version,
               records.items[i].values_json);
    }
    printf("metadata: read %zu of 3 keys\n", records.count);
    int result = records.count == 2 ? 0 : 1;
    anant_records_free(&records);
    if (result != 0) {
        printf("error: expected 2 records back\n");
        return result;
    }
    status = anant_meta_query(client, o->meta_kind, "batches >= 1", 10, &records);
    if (!ANANT_IS_OK(status)) return fail("querying records", status);
    printf("metadata: query 'batches >= 1' found %zu records\n", records.count);
    anant_records_free(&records);
    return 0;
}

int main(int argc, char **argv) {
    options o;
    int parsed = parse(argc, argv, &o);
    if (parsed != 0) return parsed;
    anant_operation op;
    if (!describe(&o, &op)) return usage("unknown --op or --measure");
    char token[4200];
    if (o.token_file != NULL && !read_token(o.token_file, token, sizeof token)) {
        fprintf(stderr, "anant_example: cannot read a token from %s\n", o.token_file);
        return 2;
    }
    const char *secret = o.token_file != NULL ? token : o.token;

    anant_client *client = NULL;
    anant_status status = anant_connect(o.gateway, 5000, &client);
    if (!ANANT_IS_OK(status)) return fail("connecting", status);
    printf("connected to %s\n", o.gateway);
    status = o.verify ? anant_authenticate(client, secret) : anant_set_token(client, secret);
    if (ANANT_IS_OK(status)) status = anant_set_call_timeout(client, o.timeout_ms);
    if (!ANANT_IS_OK(status)) {
        anant_close(client);
        return fail("authenticating", status);
    }
    printf("token %s\n", o.verify ? "accepted" : "set");

    printer p = {o.save_dir, 0};
    anant_run_handlers handlers = {print_scalar, print_batch, &p};
    anant_run_summary summary;
    if (o.op_file != NULL) {
        static uint8_t serialized[1 << 16];
        long length = read_file(o.op_file, serialized, sizeof serialized);
        if (length < 0) {
            anant_close(client);
            fprintf(stderr, "anant_example: cannot read %s (at most 64 KiB)\n", o.op_file);
            return 2;
        }
        o.op = o.op_file;
        status = anant_run_serialized(client, o.dataset, o.version, serialized, (size_t)length, o.parts, &handlers,
                                      &summary);
    } else {
        status = anant_run(client, o.dataset, o.version, &op, o.parts, &handlers, &summary);
    }
    if (!ANANT_IS_OK(status)) {
        anant_close(client);
        return fail(p.save_errors > 0 ? "saving a batch" : "running the operation", status);
    }
    printf("summary: dataset=%s version=%" PRIu64 " op=%s pieces=%zu tables=%zu batches=%zu scalars=%zu arrow_bytes=%" PRIu64
           " tasks=%u workers=%u gateway_ms=%.3f\n",
           summary.dataset, summary.version, o.op, summary.pieces, summary.tables, summary.batches, summary.scalars,
           summary.arrow_bytes, summary.timings.tasks, summary.timings.workers, (double)summary.timings.total_ns / 1e6);

    int result = o.meta ? metadata(client, &o, &summary) : 0;
    anant_close(client);
    return result;
}
