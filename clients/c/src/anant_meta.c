/*
 * anant_meta.c: the entity metadata store, through the gateway's passthrough of the
 * metadata service's methods (RegisterSchema, ApplyBatch, GetRecords, QueryRecords).
 * Reads need a reader token, writes a writer token.
 */
#define _POSIX_C_SOURCE 200809L

#include "anant_internal.h"

#include <stdlib.h>
#include <string.h>

#include "anant/v1/metadata.pb-c.h"

/** Kinds, keys and field names: the store takes any text; this bounds what one call sends. */
#define MAX_NAME 4096
/** The most fields, changes or keys in one call here. */
#define MAX_ITEMS (1u << 20)

static anant_status check_array(const char *what, const void *items, size_t count) {
    if (count > 0 && items == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "%s is NULL with a count of %zu", what, count);
    if (count > MAX_ITEMS) return anant__status(ANANT_INVALID_ARGUMENT, "more than %u %s", MAX_ITEMS, what);
    return anant__ok();
}

anant_status anant_meta_register_schema(anant_client *client, const char *kind, const anant_field *fields,
                                        size_t field_count, uint32_t *schema_version) {
    if (schema_version != NULL) *schema_version = 0;
    if (client == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "client is NULL");
    anant_status status = anant__check_text("the kind", kind, MAX_NAME, false);
    if (ANANT_IS_OK(status)) status = check_array("fields", fields, field_count);
    for (size_t i = 0; ANANT_IS_OK(status) && i < field_count; i++) {
        status = anant__check_text("a field's name", fields[i].name, MAX_NAME, false);
    }
    if (!ANANT_IS_OK(status)) return status;

    Anant__V1__SchemaField *proposed = calloc(field_count + 1, sizeof *proposed);
    Anant__V1__SchemaField **pointers = calloc(field_count + 1, sizeof *pointers);
    if (proposed == NULL || pointers == NULL) {
        free(proposed);
        free(pointers);
        return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory");
    }
    for (size_t i = 0; i < field_count; i++) {
        Anant__V1__SchemaField field = ANANT__V1__SCHEMA_FIELD__INIT;
        field.name = (char *)fields[i].name;
        field.type = (Anant__V1__FieldType)fields[i].type;
        field.required = fields[i].required;
        if (fields[i].default_json != NULL) {
            field.optional_default_case = ANANT__V1__SCHEMA_FIELD__OPTIONAL_DEFAULT_DEFAULT_JSON;
            field.default_json = (char *)fields[i].default_json;
        }
        proposed[i] = field;
        pointers[i] = &proposed[i];
    }
    Anant__V1__RecordSchema schema = ANANT__V1__RECORD_SCHEMA__INIT;
    schema.kind = (char *)kind;
    schema.n_fields = field_count;
    schema.fields = pointers;
    Anant__V1__RegisterSchemaRequest request = ANANT__V1__REGISTER_SCHEMA_REQUEST__INIT;
    request.schema = &schema;
    ProtobufCMessage *answer = NULL;
    status = anant__unary(client, "RegisterSchema", &request.base, &anant__v1__register_schema_response__descriptor, &answer);
    free(proposed);
    free(pointers);
    if (!ANANT_IS_OK(status)) return status;
    const Anant__V1__RegisterSchemaResponse *response = (const Anant__V1__RegisterSchemaResponse *)answer;
    if (schema_version != NULL && response->schema != NULL) *schema_version = response->schema->version;
    protobuf_c_message_free_unpacked(answer, NULL);
    return status;
}

anant_status anant_meta_apply(anant_client *client, const char *kind, const anant_record_change *changes,
                              size_t change_count, uint64_t *store_version) {
    if (store_version != NULL) *store_version = 0;
    if (client == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "client is NULL");
    anant_status status = anant__check_text("the kind", kind, MAX_NAME, false);
    if (ANANT_IS_OK(status)) status = check_array("changes", changes, change_count);
    for (size_t i = 0; ANANT_IS_OK(status) && i < change_count; i++) {
        status = anant__check_text("a change's key", changes[i].key, MAX_NAME, false);
    }
    if (!ANANT_IS_OK(status)) return status;

    Anant__V1__RecordChange *items = calloc(change_count + 1, sizeof *items);
    Anant__V1__RecordChange **pointers = calloc(change_count + 1, sizeof *pointers);
    if (items == NULL || pointers == NULL) {
        free(items);
        free(pointers);
        return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory");
    }
    for (size_t i = 0; i < change_count; i++) {
        Anant__V1__RecordChange change = ANANT__V1__RECORD_CHANGE__INIT;
        change.key = (char *)changes[i].key;
        if (changes[i].values_json != NULL) {
            change.change_case = ANANT__V1__RECORD_CHANGE__CHANGE_UPSERT_JSON;
            change.upsert_json = (char *)changes[i].values_json;
        } else {
            change.change_case = ANANT__V1__RECORD_CHANGE__CHANGE_DELETE;
            change.delete_ = 1;
        }
        items[i] = change;
        pointers[i] = &items[i];
    }
    Anant__V1__ApplyBatchRequest request = ANANT__V1__APPLY_BATCH_REQUEST__INIT;
    request.kind = (char *)kind;
    request.n_changes = change_count;
    request.changes = pointers;
    ProtobufCMessage *answer = NULL;
    status = anant__unary(client, "ApplyBatch", &request.base, &anant__v1__apply_batch_response__descriptor, &answer);
    free(items);
    free(pointers);
    if (!ANANT_IS_OK(status)) return status;
    if (store_version != NULL) *store_version = ((const Anant__V1__ApplyBatchResponse *)answer)->store_version;
    protobuf_c_message_free_unpacked(answer, NULL);
    return status;
}

/** Copies decoded records into `out`. */
static anant_status copy_records(Anant__V1__EntityRecord *const *records, size_t count, anant_records *out) {
    if (count == 0) return anant__ok();
    out->items = calloc(count, sizeof *out->items);
    if (out->items == NULL) return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory");
    for (size_t i = 0; i < count; i++) {
        anant_record *record = &out->items[out->count++];
        record->version = records[i]->version;
        record->key = anant__strdup(records[i]->key != NULL ? records[i]->key : "");
        record->values_json = anant__strdup(records[i]->values_json != NULL ? records[i]->values_json : "{}");
        if (record->key == NULL || record->values_json == NULL) {
            anant_records_free(out);
            return anant__status(ANANT_RESOURCE_EXHAUSTED, "out of memory");
        }
    }
    return anant__ok();
}

anant_status anant_meta_get(anant_client *client, const char *kind, const char *const *keys, size_t key_count,
                            uint64_t as_of, anant_records *out) {
    if (out == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "out is NULL");
    out->count = 0;
    out->items = NULL;
    if (client == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "client is NULL");
    anant_status status = anant__check_text("the kind", kind, MAX_NAME, false);
    if (ANANT_IS_OK(status)) status = check_array("keys", keys, key_count);
    for (size_t i = 0; ANANT_IS_OK(status) && i < key_count; i++) {
        status = anant__check_text("a key", keys[i], MAX_NAME, false);
    }
    if (!ANANT_IS_OK(status)) return status;

    Anant__V1__AsOf point = ANANT__V1__AS_OF__INIT;
    Anant__V1__GetRecordsRequest request = ANANT__V1__GET_RECORDS_REQUEST__INIT;
    request.kind = (char *)kind;
    request.n_keys = key_count;
    request.keys = (char **)keys;
    if (as_of > 0) {
        point.point_case = ANANT__V1__AS_OF__POINT_STORE_VERSION;
        point.store_version = as_of;
        request.as_of = &point;
    }
    ProtobufCMessage *answer = NULL;
    status = anant__unary(client, "GetRecords", &request.base, &anant__v1__get_records_response__descriptor, &answer);
    if (!ANANT_IS_OK(status)) return status;
    const Anant__V1__GetRecordsResponse *response = (const Anant__V1__GetRecordsResponse *)answer;
    status = copy_records(response->records, response->n_records, out);
    protobuf_c_message_free_unpacked(answer, NULL);
    return status;
}

anant_status anant_meta_query(anant_client *client, const char *kind, const char *filter, uint64_t limit,
                              anant_records *out) {
    if (out == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "out is NULL");
    out->count = 0;
    out->items = NULL;
    if (client == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "client is NULL");
    anant_status status = anant__check_text("the kind", kind, MAX_NAME, false);
    if (ANANT_IS_OK(status) && filter != NULL) status = anant__check_text("the filter", filter, 64 << 10, true);
    if (!ANANT_IS_OK(status)) return status;

    Anant__V1__QueryRecordsRequest request = ANANT__V1__QUERY_RECORDS_REQUEST__INIT;
    request.kind = (char *)kind;
    if (filter != NULL) request.filter = (char *)filter;
    if (limit > 0) {
        request.optional_limit_case = ANANT__V1__QUERY_RECORDS_REQUEST__OPTIONAL_LIMIT_LIMIT;
        request.limit = limit;
    }
    ProtobufCMessage *answer = NULL;
    status = anant__unary(client, "QueryRecords", &request.base, &anant__v1__query_records_response__descriptor, &answer);
    if (!ANANT_IS_OK(status)) return status;
    const Anant__V1__QueryRecordsResponse *response = (const Anant__V1__QueryRecordsResponse *)answer;
    status = copy_records(response->records, response->n_records, out);
    protobuf_c_message_free_unpacked(answer, NULL);
    return status;
}

void anant_records_free(anant_records *records) {
    if (records == NULL) return;
    for (size_t i = 0; i < records->count; i++) {
        free(records->items[i].key);
        free(records->items[i].values_json);
    }
    free(records->items);
    records->items = NULL;
    records->count = 0;
}
