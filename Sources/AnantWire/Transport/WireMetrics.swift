import AnantColumnar
import Metrics
import Synchronization

/// The metrics every RPC server reports (through swift-metrics, so Prometheus text at
/// the service's `/metrics`): requests and their latency by method and status code,
/// bytes in and out, requests in flight, open connections and how busy polls ended.
struct WireMetrics: Sendable {
    let connections = Meter(label: "anant_rpc_connections")
    let inFlight = Meter(label: "anant_rpc_in_flight")
    let bytesIn = Counter(label: "anant_rpc_received_bytes_total")
    let bytesOut = Counter(label: "anant_rpc_sent_bytes_total")
    /// Busy polls (`RPCServerConfiguration.busyPoll`) that found the next request, and
    /// those whose window passed first.
    let pollsFound = Counter(label: "anant_rpc_busy_polls_total", dimensions: [("outcome", "found")])
    let pollsExpired = Counter(label: "anant_rpc_busy_polls_total", dimensions: [("outcome", "expired")])
    private let perMethod = PerMethod()

    /// One method's handles for one status code, made once: making them validates names
    /// and labels and looks them up in the registry, a few microseconds a request.
    private struct Handles: Sendable {
        let requests: Counter
        let duration: Timer
        let errors: Counter?
    }

    private final class PerMethod: Sendable {
        let handles = Mutex([String: [StatusCode: Handles]]())
    }

    /// Records one finished request (`method`: a method of the server's table).
    func finished(method: String, code: StatusCode, nanoseconds: UInt64) {
        let handles = perMethod.handles.withLock { table in
            if let known = table[method]?[code] { return known }
            let dimensions = [("method", method), ("code", code.name)]
            let made = Handles(
                requests: Counter(label: "anant_rpc_requests_total", dimensions: dimensions),
                duration: Timer(label: "anant_rpc_duration_seconds", dimensions: [("method", method)], preferredDisplayUnit: .seconds),
                errors: code == .ok ? nil : Counter(label: "anant_rpc_errors_total", dimensions: dimensions))
            table[method, default: [:]][code] = made
            return made
        }
        handles.requests.increment()
        handles.duration.recordNanoseconds(Int64(min(nanoseconds, UInt64(Int64.max))))
        handles.errors?.increment()
    }
}
