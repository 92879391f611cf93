import AnantColumnar

/// The error thrown by `AnantParquet`: a stable `code` and a message that says what went
/// wrong, where (file, column, page) and, when it helps, what to do.
public typealias ParquetError = AnantError<ParquetErrorCode>

/// The codes of `ParquetError`.
public enum ParquetErrorCode: String, AnantErrorCode {
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

extension ParquetError {
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
