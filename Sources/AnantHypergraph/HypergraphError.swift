/// The error thrown by `AnantHypergraph`: a stable `code` and a message that says what
/// was wrong and how to fix it.
public struct HypergraphError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A closed set of failure kinds, stable enough to match on.
    public enum Code: String, Sendable {
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
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, in words a user can act on.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
