import AnantColumnar
import Foundation
import Logging

/// A log handler writing one JSON object per line on standard error: time, level,
/// label, message, source, then the metadata by key (log collectors read it as it is).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        var pairs: [(String, JSONValue)] = [
            ("time", .string(Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)))),
            ("level", .string(event.level.rawValue)), ("label", .string(label)), ("message", .string("\(event.message)")),
            ("source", .string(event.source)),
        ]
        for key in merged.keys.sorted() { pairs.append((key, .string("\(merged[key]!)"))) }
        var line = [UInt8]()
        JSONWriter().write(.object(JSONObject(pairs)), into: &line)
        line.append(0x0A)
        FileHandle.standardError.write(Data(line))
    }
}
