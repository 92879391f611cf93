/// Id lists typed on the command line (`ElementReference` in AnantOperations resolves the
/// tokens to a hypergraph's elements).
enum IDArguments {
    /// Splits comma-separated lists (repeated options are concatenated); empty items are
    /// dropped.
    static func split(_ lists: [String]) -> [String] {
        lists.flatMap { $0.split(separator: ",", omittingEmptySubsequences: true).map(String.init) }
    }
}
