/*
 * anant_operation.h: building the Operation message of an `anant_operation`
 * (anant_operation.c), for anant_run.c.
 */
#ifndef ANANT_OPERATION_H
#define ANANT_OPERATION_H

#include "anant_internal.h"

#include "anant/v1/gateway.pb-c.h"

/** An Operation message and whichever case of it is set, all on the caller's stack. */
typedef struct anant__operation_message {
    Anant__V1__Operation operation;
    union {
        Anant__V1__InfoOperation info;
        Anant__V1__DegreeOperation degree;
        Anant__V1__NeighborsOperation neighbors;
        Anant__V1__EdgeNeighborsOperation edge_neighbors;
        Anant__V1__ComponentsOperation components;
        Anant__V1__LineGraphOperation line_graph;
        Anant__V1__DistanceOperation distance;
        Anant__V1__DiameterOperation diameter;
        Anant__V1__CentralityOperation centrality;
        Anant__V1__ToplexesOperation toplexes;
        Anant__V1__SingletonsOperation singletons;
        Anant__V1__CollapseOperation collapse;
        Anant__V1__DualOperation dual;
        Anant__V1__RestrictOperation restriction;
    } kind;
} anant__operation_message;

/**
 * Fills `m` from `op`, checking what the gateway cannot (NULL ids, a negative s, an
 * unknown kind); `m` points into `op`'s strings, so it lives no longer than they do.
 */
ANANT_HIDDEN anant_status anant__build_operation(const anant_operation *op, anant__operation_message *m);

#endif /* ANANT_OPERATION_H */
