/// An error the CLI reports to the user: printed as "Error: <message>" with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
