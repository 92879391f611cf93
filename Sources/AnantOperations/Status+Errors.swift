import AnantColumnar
import AnantDataset
import AnantHypergraph
import AnantParquet
import AnantQuery

extension Status {
    /// The wire status of any error: the one place where every module's error code is
    /// mapped to a gRPC status code (DESIGN.md §4; the table is in `docs/errors-and-context.md`).
    ///
    /// A `Status` is kept as it is; an error of work stopped by its execution context
    /// (`interrupted`) takes the status of its cause (`CANCELLED` or `DEADLINE_EXCEEDED`);
    /// Swift's `CancellationError` is `CANCELLED`; anything else is `INTERNAL`, with its
    /// description as the message. The message is the error's own, and `retryable` is the
    /// error's flag (or the status code's nature for `UNAVAILABLE`).
    public init(_ error: any Error) {
        self.init(mapping: error)
        // A module's I/O error caused by a full disk is RESOURCE_EXHAUSTED.
        if code == .internal, Status.causes(of: error).contains(where: { ($0 as? ColumnarError)?.code == .noSpace }) {
            code = .resourceExhausted
        }
    }

    /// The chain of causes below an error (its `underlying`, that one's, ...).
    static func causes(of error: any Error) -> [any Error] {
        var out = [any Error](), next = Status.underlying(error)
        while let cause = next, out.count < 8 {
            out.append(cause)
            next = Status.underlying(cause)
        }
        return out
    }

    static func underlying(_ error: any Error) -> (any Error)? {
        switch error {
        case let e as ColumnarError: e.underlying
        case let e as HypergraphError: e.underlying
        case let e as ParquetError: e.underlying
        case let e as QueryError: e.underlying
        case let e as DatasetError: e.underlying
        case let e as OperationError: e.underlying
        default: nil
        }
    }

    private init(mapping error: any Error) {
        switch error {
        case let status as Status:
            self = status
        case let e as ColumnarError:
            self.init(Status.code(e), e.message, retryable: e.retryable)
        case let e as HypergraphError:
            self.init(e.code == .interrupted ? Status.interruption(e.underlying) : Status.code(e), e.message, retryable: e.retryable)
        case let e as ParquetError:
            self.init(e.code == .interrupted ? Status.interruption(e.underlying) : Status.code(e), e.message, retryable: e.retryable)
        case let e as QueryError:
            self.init(e.code == .interrupted ? Status.interruption(e.underlying) : Status.code(e), e.message, retryable: e.retryable)
        case let e as DatasetError:
            self.init(e.code == .interrupted ? Status.interruption(e.underlying) : Status.code(e), e.message,
                      retryable: e.retryable || e.code == .locked)
        case let e as OperationError:
            self.init(e.code == .interrupted ? Status.interruption(e.underlying) : Status.code(e), e.message, retryable: e.retryable)
        case is CancellationError:
            self.init(.cancelled, "the request was cancelled")
        default:
            self.init(.internal, "\(error)")
        }
    }

    /// The status of an interruption's cause.
    static func interruption(_ cause: (any Error & Sendable)?) -> StatusCode {
        (cause as? ColumnarError)?.code == .deadlineExceeded ? .deadlineExceeded : .cancelled
    }

    static func code(_ e: ColumnarError) -> StatusCode {
        switch e.code {
        case .lengthMismatch, .typeMismatch, .invalidSchema, .unknownColumn, .invalidJSON, .invalidValue, .invalidCSV, .invalidArrow: .invalidArgument
        case .cancelled: .cancelled
        case .deadlineExceeded: .deadlineExceeded
        case .noSpace: .resourceExhausted
        case .io: .internal
        }
    }

    static func code(_ e: HypergraphError) -> StatusCode {
        switch e.code {
        case .unknownNode, .unknownEdge: .notFound
        case .invalidHIF, .invalidCSV, .invalidInput, .invalidArgument: .invalidArgument
        case .notConnected: .failedPrecondition
        case .tooLarge: .resourceExhausted
        case .interrupted: .cancelled
        }
    }

    static func code(_ e: ParquetError) -> StatusCode {
        switch e.code {
        case .notParquet, .invalidArgument: .invalidArgument
        case .corrupt, .checksumMismatch: .dataLoss
        case .encrypted: .failedPrecondition
        case .unsupported: .unimplemented
        case .io: .internal
        case .interrupted: .cancelled
        }
    }

    static func code(_ e: QueryError) -> StatusCode {
        switch e.code {
        case .syntax, .unknownColumn, .typeMismatch, .invalidArgument, .source: .invalidArgument
        case .overflow: .outOfRange
        case .interrupted: .cancelled
        }
    }

    static func code(_ e: DatasetError) -> StatusCode {
        switch e.code {
        case .notFound, .unknownVersion: .notFound
        case .invalidArgument: .invalidArgument
        case .invalidManifest, .corruptShard: .dataLoss
        case .locked: .unavailable
        case .io: .internal
        case .interrupted: .cancelled
        }
    }

    static func code(_ e: OperationError) -> StatusCode {
        switch e.code {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .failedPrecondition: .failedPrecondition
        case .interrupted: .cancelled
        }
    }
}
