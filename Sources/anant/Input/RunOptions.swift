import AnantColumnar
import AnantParquet
import ArgumentParser
import Foundation

/// How a command runs: the threads it may use and how long it may take. Every command
/// takes these; they become the `ExecutionContext` the libraries are handed (the libraries
/// never read the environment: `ANANT_THREADS` is read here, when `--threads` is absent).
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("threads"), help: "Threads to use (default: ANANT_THREADS when set, else every processor).")
    var threads: Int?

    @Option(name: .customLong("timeout"), help: "Stop with an error after this many seconds.")
    var timeout: Double?

    @Option(name: .customLong("memory-budget"),
            help: "MiB the work may use: an s-line graph whose estimate is larger is refused (default: a quarter of RAM); query scans decode fewer row groups at once (default: no bound).")
    var memoryBudget: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds (got \(timeout))") }
        if let memoryBudget, !(1...(Int.max >> 20)).contains(memoryBudget) {
            throw ValidationError("--memory-budget must be between 1 and \(Int.max >> 20) MiB (got \(memoryBudget))")
        }
        if threads == nil, let text = ProcessInfo.processInfo.environment["ANANT_THREADS"], (Int(text) ?? 0) < 1 {
            throw ValidationError("ANANT_THREADS must be a positive number of threads (got '\(text)')")
        }
    }

    /// The execution context of the command.
    var context: ExecutionContext {
        let environment = ProcessInfo.processInfo.environment["ANANT_THREADS"].flatMap { Int($0) }
        let budget = memoryBudget.map { $0 << 20 } ?? Int(ProcessInfo.processInfo.physicalMemory / 4)
        var context = ExecutionContext(threads: threads ?? environment ?? ExecutionContext.processorCount, memoryBudget: budget)
        context.progress = Progress.sink
        return timeout.map { context.withTimeout(seconds: $0) } ?? context
    }
}

extension ParquetCompression: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}
