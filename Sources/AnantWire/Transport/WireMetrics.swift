import AnantColumnar
import Metrics

/// The metrics every RPC server reports (through swift-metrics, so Prometheus text at
/// the service's `/metrics`): requests and their latency by method and status code,
/// bytes in and out, requests in flight and open connections.
struct WireMetrics: Sendable {
    let connections = Meter(label: "anant_rpc_connections")
    let inFlight = Meter(label: "anant_rpc_in_flight")
    let bytesIn = Counter(label: "anant_rpc_received_bytes_total")
    let bytesOut = Counter(label: "anant_rpc_sent_bytes_total")

    /// Records one finished request.
    func finished(method: String, code: StatusCode, nanoseconds: UInt64) {
        let dimensions = [("method", method), ("code", code.name)]
        Counter(label: "anant_rpc_requests_total", dimensions: dimensions).increment()
        Timer(label: "anant_rpc_duration_seconds", dimensions: [("method", method)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(min(nanoseconds, UInt64(Int64.max))))
        if code != .ok { Counter(label: "anant_rpc_errors_total", dimensions: dimensions).increment() }
    }
}
