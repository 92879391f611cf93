import AnantColumnar
import AnantProto
import AnantWire

/// The metadata service's methods (`proto/anant/v1/metadata.proto`) over a
/// `MetadataStore`: the catalog, the worker registry and the entity metadata store.
public struct MetadataService: Sendable {
    public static let prefix = "anant.v1.Metadata/"
    public let store: MetadataStore

    public init(store: MetadataStore) { self.store = store }

    public var methods: [RPCMethod] { catalogMethods + entityMethods }

    var catalogMethods: [RPCMethod] {
        [
            .unary(Self.prefix + "ListDatasets") { (request: Anant_V1_ListDatasetsRequest, _) in
                var response = Anant_V1_ListDatasetsResponse()
                response.datasets = try store.datasets(namespace: request.namespace.isEmpty ? nil : request.namespace)
                return response
            },
            .unary(Self.prefix + "ListVersions") { (request: Anant_V1_ListVersionsRequest, _) in
                var response = Anant_V1_ListVersionsResponse()
                response.versions = try store.versions(of: request.dataset)
                return response
            },
            .unary(Self.prefix + "GetVersion") { (request: Anant_V1_GetVersionRequest, _) in
                var response = Anant_V1_GetVersionResponse()
                (response.version, response.placements) = try store.version(request.dataset)
                return response
            },
            .unary(Self.prefix + "CreateVersion") { (request: Anant_V1_CreateVersionRequest, _) in
                var response = Anant_V1_CreateVersionResponse()
                response.dataset = try store.createVersion(of: request.dataset)
                return response
            },
            .unary(Self.prefix + "PublishVersion") { (request: Anant_V1_PublishVersionRequest, _) in
                var response = Anant_V1_PublishVersionResponse()
                response.version = try store.publish(request.dataset, manifest: request.manifestJson, placements: request.placements)
                return response
            },
            .unary(Self.prefix + "DeleteDatasetVersion") { (request: Anant_V1_DeleteDatasetVersionRequest, _) in
                var response = Anant_V1_DeleteDatasetVersionResponse()
                response.placements = try store.deleteVersion(request.dataset)
                return response
            },
            .unary(Self.prefix + "RegisterWorker") { (request: Anant_V1_RegisterWorkerRequest, _) in
                var response = Anant_V1_RegisterWorkerResponse()
                (response.worker, response.heartbeatIntervalNanos) = try store.register(
                    role: request.role, rpcAddress: request.rpcAddress, httpAddress: request.httpAddress)
                return response
            },
            .unary(Self.prefix + "Heartbeat") { (request: Anant_V1_HeartbeatRequest, _) in
                var response = Anant_V1_HeartbeatResponse()
                response.leaseExpiresUnixNanos = try store.heartbeat(request)
                return response
            },
            .unary(Self.prefix + "DeregisterWorker") { (request: Anant_V1_DeregisterWorkerRequest, _) in
                try store.deregister(request.workerID)
                return Anant_V1_DeregisterWorkerResponse()
            },
            .immediate(Self.prefix + "ListWorkers") { (request: Anant_V1_ListWorkersRequest) in
                var response = Anant_V1_ListWorkersResponse()
                response.workers = try store.workers(role: request.role, includeExpired: request.includeExpired)
                return response
            },
        ]
    }
}
