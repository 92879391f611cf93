/*
 * anant_operation.c: an `anant_operation` (the C description of a common analysis) as
 * the `anant.v1.Operation` message of gateway.proto, built on the caller's stack.
 */
#define _POSIX_C_SOURCE 200809L

#include "anant_operation.h"

/** The most ids an operation may carry here (the frame, not the gateway, is the real bound). */
#define MAX_IDS (1u << 20)

static anant_status check_ids(const anant_operation *op) {
    if (op->id_count == 0) return anant__ok();
    if (op->ids == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "ids is NULL with id_count %zu", op->id_count);
    if (op->id_count > MAX_IDS) return anant__status(ANANT_INVALID_ARGUMENT, "more than %u ids", MAX_IDS);
    for (size_t i = 0; i < op->id_count; i++) {
        if (op->ids[i] == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "ids[%zu] is NULL", i);
    }
    return anant__ok();
}

/** The wire's Vertices for `of` (the default: edges). */
static anant_status vertices(anant_vertices of, Anant__V1__Vertices *out) {
    switch (of) {
    case ANANT_OF_DEFAULT:
    case ANANT_OF_EDGES: *out = ANANT__V1__VERTICES__VERTICES_EDGES; return anant__ok();
    case ANANT_OF_NODES: *out = ANANT__V1__VERTICES__VERTICES_NODES; return anant__ok();
    }
    return anant__status(ANANT_INVALID_ARGUMENT, "of is %d: use ANANT_OF_EDGES or ANANT_OF_NODES", (int)of);
}

/** Fills `m` from `op`; `m` points into `op`'s strings, so it lives no longer than the call. */
anant_status anant__build_operation(const anant_operation *op, anant__operation_message *m) {
    if (op == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "the operation is NULL");
    if (op->s < 0) return anant__status(ANANT_INVALID_ARGUMENT, "s is %lld: it must be at least 1", (long long)op->s);
    anant_status status = check_ids(op);
    if (!ANANT_IS_OK(status)) return status;
    Anant__V1__Vertices of = ANANT__V1__VERTICES__VERTICES_EDGES;
    status = vertices(op->of, &of);
    if (!ANANT_IS_OK(status)) return status;
    int64_t s = op->s == 0 ? 1 : op->s;
    char **ids = (char **)op->ids;  /* packing only reads them */
    Anant__V1__Operation init = ANANT__V1__OPERATION__INIT;
    m->operation = init;
    m->operation.kind_case = (Anant__V1__Operation__KindCase)op->kind;
    switch (op->kind) {
    case ANANT_OP_INFO: {
        Anant__V1__InfoOperation x = ANANT__V1__INFO_OPERATION__INIT;
        if (op->node != NULL && op->edge != NULL) return anant__status(ANANT_INVALID_ARGUMENT, "info takes a node or an edge, not both");
        if (op->node != NULL) { x.subject_case = ANANT__V1__INFO_OPERATION__SUBJECT_NODE; x.node = (char *)op->node; }
        if (op->edge != NULL) { x.subject_case = ANANT__V1__INFO_OPERATION__SUBJECT_EDGE; x.edge = (char *)op->edge; }
        m->kind.info = x;
        m->operation.info = &m->kind.info;
        break;
    }
    case ANANT_OP_DEGREE: {
        Anant__V1__DegreeOperation x = ANANT__V1__DEGREE_OPERATION__INIT;
        x.s = s;
        x.n_nodes = op->id_count;
        x.nodes = ids;
        if (op->max_size > 0) {
            x.optional_max_size_case = ANANT__V1__DEGREE_OPERATION__OPTIONAL_MAX_SIZE_MAX_SIZE;
            x.max_size = op->max_size;
        }
        m->kind.degree = x;
        m->operation.degree = &m->kind.degree;
        break;
    }
    case ANANT_OP_NEIGHBORS: {
        Anant__V1__NeighborsOperation x = ANANT__V1__NEIGHBORS_OPERATION__INIT;
        x.s = s;
        x.n_nodes = op->id_count;
        x.nodes = ids;
        m->kind.neighbors = x;
        m->operation.neighbors = &m->kind.neighbors;
        break;
    }
    case ANANT_OP_EDGE_NEIGHBORS: {
        Anant__V1__EdgeNeighborsOperation x = ANANT__V1__EDGE_NEIGHBORS_OPERATION__INIT;
        x.s = s;
        x.n_edges = op->id_count;
        x.edges = ids;
        m->kind.edge_neighbors = x;
        m->operation.edge_neighbors = &m->kind.edge_neighbors;
        break;
    }
    case ANANT_OP_COMPONENTS: {
        Anant__V1__ComponentsOperation x = ANANT__V1__COMPONENTS_OPERATION__INIT;
        x.s = s;
        x.of = of;
        x.singletons = op->singletons;
        m->kind.components = x;
        m->operation.components = &m->kind.components;
        break;
    }
    case ANANT_OP_LINE_GRAPH: {
        Anant__V1__LineGraphOperation x = ANANT__V1__LINE_GRAPH_OPERATION__INIT;
        x.s = s;
        x.of = of;
        m->kind.line_graph = x;
        m->operation.line_graph = &m->kind.line_graph;
        break;
    }
    case ANANT_OP_DISTANCE: {
        Anant__V1__DistanceOperation x = ANANT__V1__DISTANCE_OPERATION__INIT;
        if (op->from_id == NULL || op->to_id == NULL) return anant__status(ANANT_INVALID_ARGUMENT, "distance needs from_id and to_id");
        x.s = s;
        x.of = of;
        x.from_id = (char *)op->from_id;
        x.to_id = (char *)op->to_id;
        m->kind.distance = x;
        m->operation.distance = &m->kind.distance;
        break;
    }
    case ANANT_OP_DIAMETER: {
        Anant__V1__DiameterOperation x = ANANT__V1__DIAMETER_OPERATION__INIT;
        x.s = s;
        x.of = of;
        x.per_component = op->per_component;
        m->kind.diameter = x;
        m->operation.diameter = &m->kind.diameter;
        break;
    }
    case ANANT_OP_CENTRALITY: {
        Anant__V1__CentralityOperation x = ANANT__V1__CENTRALITY_OPERATION__INIT;
        x.measure = (Anant__V1__CentralityMeasure)op->measure;
        x.s = s;
        x.of = of;
        x.raw = op->raw;
        x.normalized = op->normalized;
        x.without_singletons = op->without_singletons;
        if (op->top > 0) {
            x.optional_top_case = ANANT__V1__CENTRALITY_OPERATION__OPTIONAL_TOP_TOP;
            x.top = op->top;
        }
        m->kind.centrality = x;
        m->operation.centrality = &m->kind.centrality;
        break;
    }
    case ANANT_OP_TOPLEXES: {
        Anant__V1__ToplexesOperation x = ANANT__V1__TOPLEXES_OPERATION__INIT;
        m->kind.toplexes = x;
        m->operation.toplexes = &m->kind.toplexes;
        break;
    }
    case ANANT_OP_SINGLETONS: {
        Anant__V1__SingletonsOperation x = ANANT__V1__SINGLETONS_OPERATION__INIT;
        m->kind.singletons = x;
        m->operation.singletons = &m->kind.singletons;
        break;
    }
    case ANANT_OP_COLLAPSE: {
        Anant__V1__CollapseOperation x = ANANT__V1__COLLAPSE_OPERATION__INIT;
        x.of = of;
        x.use_counts = op->use_counts;
        m->kind.collapse = x;
        m->operation.collapse = &m->kind.collapse;
        break;
    }
    case ANANT_OP_DUAL: {
        Anant__V1__DualOperation x = ANANT__V1__DUAL_OPERATION__INIT;
        m->kind.dual = x;
        m->operation.dual = &m->kind.dual;
        break;
    }
    case ANANT_OP_RESTRICT: {
        Anant__V1__RestrictOperation x = ANANT__V1__RESTRICT_OPERATION__INIT;
        x.to = of;
        x.n_ids = op->id_count;
        x.ids = ids;
        m->kind.restriction = x;
        m->operation.restriction = &m->kind.restriction;
        break;
    }
    default:
        return anant__status(ANANT_INVALID_ARGUMENT, "unknown operation kind %d", (int)op->kind);
    }
    return anant__ok();
}
