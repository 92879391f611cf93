import AnantColumnar
import Dispatch
import Foundation

/// Shows what a long step is doing on stderr, when stderr is a terminal: after a second
/// the step's label and elapsed time appear on one line, updated five times a second, and
/// are erased when the step ends. Nothing is printed when stderr is a file or a pipe.
enum Progress {
    static let isTerminal = isatty(STDERR_FILENO) == 1

    /// Where the libraries' chunked loops report how far they are (`ExecutionContext.progress`):
    /// the commands' contexts carry it when stderr is a terminal, and the line shows its
    /// percentage and an estimate of the time left.
    static let sink: ProgressSink? = isTerminal ? ProgressSink() : nil

    static func run<T>(_ label: String, _ work: () throws -> T) rethrows -> T {
        try run(label) { _ in try work() }
    }

    /// The same, for work that can say how far it is: `work` gets the line (nil when
    /// nothing is shown) and sets its `detail`, shown after the label.
    static func run<T>(_ label: String, _ work: ((any Line)?) throws -> T) rethrows -> T {
        guard isTerminal else { return try work(nil) }
        let ticker = Ticker(label: label)
        ticker.start()
        defer { ticker.stop() }
        return try work(ticker)
    }

    /// The line a step shows.
    protocol Line: AnyObject, Sendable {
        /// What the step says of itself ("3 of 8 tasks"), after its label.
        var detail: String { get set }
    }

    private final class Ticker: Line, @unchecked Sendable {
        private let label: String
        private let started = DispatchTime.now()
        private let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        private let lock = NSLock()
        private var shown = false
        private var said = ""
        /// The phase of `Progress.sink` last seen, and when it was first seen.
        private var phase = (number: 0, started: DispatchTime.now())

        init(label: String) { self.label = label }

        var detail: String {
            get { lock.withLock { said } }
            set { lock.withLock { said = newValue } }
        }

        func start() {
            timer.schedule(deadline: .now() + 1.0, repeating: 0.2)
            timer.setEventHandler { [self] in
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
                lock.withLock {
                    shown = true
                    let detail = said.isEmpty ? loopDetail() : ", \(said)"
                    FileHandle.standardError.write(Data("\r\u{1B}[K\(label)… \(String(format: "%.1f", seconds)) s\(detail)".utf8))
                }
            }
            timer.resume()
        }

        /// ", 42 %, about 12 s left" for the loop running now, once it is far enough along
        /// to say (its first chunks done, after half a second).
        private func loopDetail() -> String {
            guard let (number, done, total) = Progress.sink?.state, total > 0 else { return "" }
            let now = DispatchTime.now()
            if number != phase.number { phase = (number, now) }
            let elapsed = Double(now.uptimeNanoseconds - phase.started.uptimeNanoseconds) / 1e9
            guard done > 0, done < total, elapsed >= 0.5 else { return "" }
            let left = elapsed * Double(total - done) / Double(done)
            return ", \(done * 100 / total) %, about \(left < 60 ? "\(Int(left.rounded())) s" : "\(Int((left / 60).rounded())) min") left"
        }

        func stop() {
            timer.cancel()
            lock.withLock {
                if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                shown = false
            }
        }
    }
}
