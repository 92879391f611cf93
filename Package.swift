// swift-tools-version: 6.1
// Anant: a hypergraph analytics platform (see DESIGN.md for the layer plan).
import PackageDescription

/// Settings shared by every target: Swift 6 language mode with strict concurrency. No
/// unsafe flags: SwiftPM refuses them in a package depended on by version, and clients
/// depend on Anant's libraries that way (`scripts/check-consumable` proves it).
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "Anant",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AnantColumnar", targets: ["AnantColumnar"]),
        .library(name: "AnantHypergraph", targets: ["AnantHypergraph"]),
        .library(name: "AnantParquet", targets: ["AnantParquet"]),
        .library(name: "AnantDataset", targets: ["AnantDataset"]),
        .library(name: "AnantQuery", targets: ["AnantQuery"]),
        .library(name: "AnantOperations", targets: ["AnantOperations"]),
        .library(name: "AnantProto", targets: ["AnantProto"]),
        .library(name: "AnantWire", targets: ["AnantWire"]),
        .library(name: "AnantRuntime", targets: ["AnantRuntime"]),
        .library(name: "AnantStorage", targets: ["AnantStorage"]),
        .library(name: "AnantMetadata", targets: ["AnantMetadata"]),
        .library(name: "AnantCluster", targets: ["AnantCluster"]),
        .library(name: "AnantCompute", targets: ["AnantCompute"]),
        .library(name: "AnantGateway", targets: ["AnantGateway"]),
        .library(name: "AnantClient", targets: ["AnantClient"]),
        .executable(name: "anant", targets: ["anant"]),
        .executable(name: "anant-storage", targets: ["anant-storage"]),
        .executable(name: "anant-metadata", targets: ["anant-metadata"]),
        .executable(name: "anant-compute", targets: ["anant-compute"]),
        .executable(name: "anant-gateway", targets: ["anant-gateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // MARK: Libraries
        .target(name: "CAnantSystem"),
        // Executables only: keeps freed memory for reuse from before main (docs/design-notes.md).
        .target(name: "CAnantProcess", dependencies: ["CAnantSystem"]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .target(name: "AnantColumnar", dependencies: ["CAnantSystem"], swiftSettings: strict),
        // The wire contract: generated from proto/ by scripts/generate-protos, committed
        // (scripts/check-protos fails CI when proto/ changed without regenerating).
        .target(name: "AnantProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        // The wire: frames, envelopes and the connection state machines of servers and clients.
        .target(name: "AnantWire", dependencies: [
            "AnantColumnar", "AnantProto", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
        ], swiftSettings: strict),
        // The service runtime: flags, logging, health and metrics over HTTP, the ready line, drain.
        .target(name: "AnantRuntime", dependencies: [
            "AnantColumnar", "AnantWire", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .target(name: "AnantHypergraph", dependencies: ["AnantColumnar", "CAnantSystem"], swiftSettings: strict),
        .target(
            name: "AnantParquet",
            dependencies: ["AnantColumnar", "CAnantSystem", "CZstd", "CLZ4", "CSnappy", "CZlib", "CDeflate"],
            swiftSettings: strict
        ),
        .target(name: "AnantQuery", dependencies: ["AnantColumnar", "AnantParquet", "CAnantSystem"], swiftSettings: strict),
        .target(name: "AnantDataset", dependencies: ["AnantColumnar", "AnantHypergraph", "AnantParquet", "AnantQuery"], swiftSettings: strict),
        .target(name: "AnantOperations", dependencies: ["AnantColumnar", "AnantHypergraph", "AnantParquet", "AnantQuery", "AnantDataset"],
                swiftSettings: strict),
        // The storage service's store and methods (services/storage is its executable).
        .target(name: "AnantStorage", dependencies: [
            "AnantColumnar", "AnantParquet", "AnantQuery", "AnantOperations", "AnantProto", "AnantWire",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The metadata service's store (SQLite through GRDB) and methods (services/metadata).
        .target(name: "AnantMetadata", dependencies: [
            "AnantColumnar", "AnantParquet", "AnantQuery", "AnantProto", "AnantWire", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ], swiftSettings: strict),
        // What the compute workers, the gateway and the client share (L5): the wire forms of
        // operations, results and partials, the storage calls, the dataset-version cache
        // and the worker lease.
        .target(name: "AnantCluster", dependencies: [
            "AnantColumnar", "AnantHypergraph", "AnantParquet", "AnantQuery", "AnantDataset", "AnantOperations", "AnantProto", "AnantWire",
            .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The compute service's task runner (services/compute).
        .target(name: "AnantCompute", dependencies: [
            "AnantCluster", "AnantColumnar", "AnantHypergraph", "AnantOperations", "AnantParquet", "AnantProto", "AnantQuery", "AnantWire",
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: strict),
        // The gateway: authentication, planning, fan-out, merge, imports (services/gateway).
        .target(name: "AnantGateway", dependencies: [
            "AnantCluster", "AnantColumnar", "AnantHypergraph", "AnantParquet", "AnantDataset", "AnantOperations", "AnantProto", "AnantQuery", "AnantRuntime",
            "AnantWire", .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The public client library of the gateway (async/await).
        .target(name: "AnantClient", dependencies: [
            "AnantCluster", "AnantColumnar", "AnantDataset", "AnantOperations", "AnantProto", "AnantWire",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], swiftSettings: strict),

        // MARK: Executables
        .executableTarget(
            name: "anant",
            dependencies: [
                "CAnantProcess", "AnantColumnar", "AnantHypergraph", "AnantParquet", "AnantDataset", "AnantQuery", "AnantOperations", "AnantMetadata", "CAnantSystem",
                "AnantClient", "AnantGateway", "AnantProto", "AnantWire", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "anant-storage",
            dependencies: ["CAnantProcess", "AnantCluster", "AnantColumnar", "AnantOperations", "AnantRuntime", "AnantStorage", "AnantWire",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "services/storage",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "anant-metadata",
            dependencies: ["CAnantProcess", "AnantColumnar", "AnantMetadata", "AnantRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "services/metadata",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "anant-compute",
            dependencies: ["CAnantProcess", "AnantCluster", "AnantColumnar", "AnantCompute", "AnantOperations", "AnantRuntime", "AnantWire",
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "services/compute",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "anant-gateway",
            dependencies: ["CAnantProcess", "AnantCluster", "AnantColumnar", "AnantGateway", "AnantOperations", "AnantRuntime", "AnantWire",
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "services/gateway",
            swiftSettings: strict
        ),

        // MARK: Benchmarks (bench/run drives them, release builds only)
        .executableTarget(
            name: "anant-bench",
            dependencies: [
                "CAnantProcess", "AnantColumnar", "AnantHypergraph", "AnantParquet", "AnantDataset", "AnantQuery", "AnantProto", "AnantWire", "AnantMetadata", "CAnantSystem",
                "AnantClient", "AnantOperations", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/Sources/anant-bench",
            swiftSettings: strict
        ),

        // MARK: Tests
        .target(name: "AnantTestSupport", dependencies: ["AnantColumnar", "AnantHypergraph"], path: "Tests/AnantTestSupport", swiftSettings: strict),
        .testTarget(name: "AnantParquetTests", dependencies: ["AnantParquet", "AnantTestSupport", "CSnappy"], swiftSettings: strict),
        .testTarget(name: "AnantColumnarTests", dependencies: ["AnantColumnar", "AnantTestSupport"], swiftSettings: strict),
        .testTarget(name: "AnantHypergraphTests", dependencies: ["AnantHypergraph", "AnantTestSupport"], swiftSettings: strict),
        .testTarget(name: "AnantDatasetTests", dependencies: ["AnantDataset", "AnantQuery", "AnantTestSupport"], swiftSettings: strict),
        .testTarget(name: "AnantQueryTests", dependencies: ["AnantQuery", "AnantTestSupport"], swiftSettings: strict),
        .testTarget(name: "AnantProtoTests", dependencies: ["AnantProto"], swiftSettings: strict),
        .testTarget(name: "AnantWireTests", dependencies: ["AnantWire", "AnantProto", "AnantColumnar", .product(name: "SwiftProtobuf", package: "swift-protobuf"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "AnantStorageTests", dependencies: [
            "AnantStorage", "AnantWire", "AnantProto", "AnantQuery", "AnantParquet", "AnantTestSupport", "anant-storage",
        ], swiftSettings: strict),
        .testTarget(name: "AnantMetadataTests", dependencies: [
            "AnantMetadata", "AnantWire", "AnantProto", "AnantTestSupport", "anant-metadata", .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        .testTarget(name: "AnantClusterTests", dependencies: [
            "AnantClient", "AnantCluster", "AnantColumnar", "AnantGateway", "AnantMetadata", "AnantOperations", "AnantProto", "AnantWire",
            "AnantTestSupport",
            "anant", "anant-metadata", "anant-storage", "anant-compute", "anant-gateway",
        ], swiftSettings: strict),
        .testTarget(name: "AnantOperationsTests", dependencies: ["AnantOperations", "AnantParquet", "AnantTestSupport"], swiftSettings: strict),
        .testTarget(name: "AnantCLITests", dependencies: ["anant", "AnantOperations", "AnantTestSupport", "CAnantSystem"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
