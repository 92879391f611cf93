import AnantColumnar

/// The error thrown by `AnantHypergraph`: a stable `code` and a message that says what
/// was wrong and how to fix it.
public typealias HypergraphError = AnantError<HypergraphErrorCode>

/// The codes of `HypergraphError`.
public enum HypergraphErrorCode: String, AnantErrorCode {
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
