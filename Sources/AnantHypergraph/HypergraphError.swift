import AnantColumnar

/// The error thrown by `AnantHypergraph`: a stable `code` and a message that says what
/// was wrong and how to fix it.
public struct HypergraphError: AnantError, InterruptibleError, Equatable {
    public static let interruptedCode = Code.interrupted

    /// A closed set of failure kinds, stable enough to match on.
    public enum Code: String, Sendable, CaseIterable {
        /// A node identifier that the hypergraph does not have.
        case unknownNode
        /// An edge identifier that the hypergraph does not have.
        case unknownEdge
        /// A HIF document that breaks the HIF schema.
        case invalidHIF
        /// A CSV incidence file that cannot be read.
        case invalidCSV
        /// Input tables or values that cannot form a hypergraph.
        case invalidInput
        /// An argument outside its allowed range (s < 1, for example).
        case invalidArgument
        /// An operation that needs an s-connected hypergraph got a disconnected one.
        case notConnected
        /// The input is larger than the model can index (2^31 - 1 elements or incidences).
        case tooLarge
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
}
