import AnantColumnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two clocks of the wire: deadlines cross it as Unix time (nanoseconds since the
/// epoch, the only clock two machines share) and work polls the monotonic clock of its
/// `ExecutionContext`.
public enum WireClock {
    /// Now, in nanoseconds since the Unix epoch.
    public static var unixNanos: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// The Unix deadline `seconds` from now.
    public static func deadline(in seconds: Double) -> UInt64 {
        unixNanos &+ UInt64(max(0, min(seconds, 1e9)) * 1e9)
    }

    /// Nanoseconds left until a Unix deadline (0 once it passed).
    public static func remaining(until deadline: UInt64) -> UInt64 {
        let now = unixNanos
        return deadline > now ? deadline - now : 0
    }

    /// A Unix deadline on the monotonic clock of `ExecutionContext` (nil for 0, no deadline).
    public static func monotonic(_ deadline: UInt64) -> UInt64? {
        guard deadline != 0 else { return nil }
        let now = ExecutionContext.now
        return now + min(remaining(until: deadline), UInt64.max - now)
    }

    /// The time left until a Unix deadline, as a timer's delay (saturating).
    public static func delay(until deadline: UInt64) -> Int64 { Int64(clamping: remaining(until: deadline)) }
}
