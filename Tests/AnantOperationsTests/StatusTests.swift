import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantOperations
import AnantParquet
import AnantQuery
import Testing

/// `Status(_:)` maps every code of every module's error to a gRPC status.
@Suite struct StatusTests {
    @Test func everyCodeOfEveryModuleHasAStatus() {
        var seen = [String: StatusCode]()
        for code in ColumnarError.Code.allCases { seen["columnar.\(code)"] = Status(ColumnarError(code, "x")).code }
        for code in HypergraphError.Code.allCases { seen["hypergraph.\(code)"] = Status(HypergraphError(code, "x")).code }
        for code in ParquetError.Code.allCases { seen["parquet.\(code)"] = Status(ParquetError(code, "x")).code }
        for code in QueryError.Code.allCases { seen["query.\(code)"] = Status(QueryError(code, "x")).code }
        for code in DatasetError.Code.allCases { seen["dataset.\(code)"] = Status(DatasetError(code, "x")).code }
        for code in OperationError.Code.allCases { seen["operation.\(code)"] = Status(OperationError(code, "x")).code }
        for (name, status) in seen { #expect(status != .ok && status != .unknown && status != .internal || name.hasSuffix(".io"), "\(name) → \(status)") }
        #expect(seen["hypergraph.unknownNode"] == .notFound)
        #expect(seen["hypergraph.invalidArgument"] == .invalidArgument)
        #expect(seen["parquet.corrupt"] == .dataLoss)
        #expect(seen["columnar.noSpace"] == .resourceExhausted)
        #expect(seen["dataset.locked"] == .unavailable)
        #expect(seen["query.overflow"] == .outOfRange)
    }

    @Test func interruptionsTakeTheirCausesStatus() {
        let cancelled = HypergraphError(interruption: ExecutionContext.interruption(.cancelled))
        let late = QueryError(interruption: ExecutionContext.interruption(.deadlineExceeded))
        #expect(Status(cancelled).code == .cancelled)
        #expect(Status(late).code == .deadlineExceeded)
        #expect(Status(DatasetError(.interrupted, "stopped", underlying: ExecutionContext.interruption(.deadlineExceeded))).code == .deadlineExceeded)
        #expect(Status(CancellationError()).code == .cancelled)
    }

    @Test func messagesAndRetryableFlagsCarryOver() {
        let status = Status(DatasetError(.locked, "another writer holds the lock"))
        #expect(status == Status(.unavailable, "another writer holds the lock", retryable: true))
        #expect(Status(ParquetError(.io, "read failed", retryable: true)).retryable)
        #expect(Status(Status(.notFound, "no dataset 'x'")).message == "no dataset 'x'")
        struct Other: Error {}
        #expect(Status(Other()).code == .internal)
    }
}

/// A full disk below a module's I/O error is RESOURCE_EXHAUSTED.
@Suite struct DiskFullStatusTests {
    @Test func noSpaceCausesAreResourceExhausted() {
        let full = ColumnarError(.noSpace, "cannot write 'x': No space left on device")
        #expect(Status(ParquetError(.io, full.message, underlying: full)).code == .resourceExhausted)
        #expect(Status(DatasetError(.io, "cannot write shard", underlying: ParquetError(.io, full.message, underlying: full))).code == .resourceExhausted)
        #expect(Status(DatasetError(.io, "cannot write shard")).code == .internal)
    }
}
