import AnantColumnar

/// The error thrown by `AnantParquet`: a stable `code` and a message that says what went
/// wrong, where (file, column, page) and, when it helps, what to do.
public struct ParquetError: AnantError, InterruptibleError, Equatable {
    public static let interruptedCode = Code.interrupted

    /// A closed set of failure kinds.
    public enum Code: String, Sendable, CaseIterable {
        /// The bytes are not a Parquet file (magic, size).
        case notParquet
        /// The file or a column is encrypted (Parquet Modular Encryption); no keys here.
        case encrypted
        /// Metadata or data contradicts the format: truncated, out of range, inconsistent.
        case corrupt
        /// A valid feature this reader does not implement (a codec, an encoding).
        case unsupported
        /// A page's CRC does not match its bytes (only when verification is on).
        case checksumMismatch
        /// A request that does not fit the file: an unknown column, a bad predicate.
        case invalidArgument
        /// Reading or writing the underlying file failed.
        case io
        /// The work was cancelled or ran past its deadline (the cause says which).
        case interrupted
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, in words a user can act on.
    public var message: String

    /// The error that caused this one, if any.
    public var underlying: (any Error & Sendable)?
    /// True when trying again may succeed.
    public var retryable: Bool

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, retryable: Bool = false) {
        (self.code, self.message, self.underlying, self.retryable) = (code, message, underlying, retryable)
    }

    /// A corrupt-data error.
    static func corrupt(_ message: String) -> ParquetError { ParquetError(.corrupt, message) }
}

/// Runs `body`, whose errors are `ParquetError`s behind an untyped `throws` (closures of
/// `withUnsafeBytes` and friends), and rethrows them typed.
func rethrowingParquetErrors<R>(_ body: () throws -> R) throws(ParquetError) -> R {
    do {
        return try body()
    } catch let error as ParquetError {
        throw error
    } catch {
        throw ParquetError(.io, "\(error)")
    }
}
