#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options for reading CSV.
public struct CSVReadOptions: Sendable {
    /// The field separator (a single ASCII byte).
    public var delimiter: UInt8
    /// Columns holding identifiers: typed `int64` when every value is a canonical integer
    /// ("-12", not "012" or "+12", so the text survives), else `string`; never double or
    /// Boolean.
    public var identifierColumns: Set<String>
    /// Columns whose type is known (from a schema beside the file): their values are read
    /// as that type, never inferred, and a value that is not of it is an error naming the
    /// line. `json` columns hold one JSON value per field.
    public var columnTypes: [String: DataType]

    /// Creates options.
    public init(delimiter: UInt8 = UInt8(ascii: ","), identifierColumns: Set<String> = [], columnTypes: [String: DataType] = [:]) {
        self.delimiter = delimiter
        self.identifierColumns = identifierColumns
        self.columnTypes = columnTypes
    }
}

/// Reads CSV text (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes,
/// LF or CRLF) into a `RecordBatch`, inferring each column's type.
///
/// The first line is the header. Types are inferred per column from all its values:
/// `int64` when every value is a canonical integer, `double` when every value is a number,
/// `bool` for true/false (any case), else `string`. An empty unquoted field is null; `""`
/// is an empty string. Errors name the line.
public enum CSVReader {
    /// Parses `bytes`.
    public static func read(_ bytes: [UInt8], options: CSVReadOptions = CSVReadOptions()) throws(ColumnarError) -> RecordBatch {
        var forcedStrings = Set<Int>()
        while true {
            let outcome = try bytes.withUnsafeBufferPointer { buffer throws(ColumnarError) in
                var parser = CSVParser(input: buffer, options: options, forcedStrings: forcedStrings)
                return try parser.parse()
            }
            switch outcome {
            case .done(let batch): return batch
            case .restart(let column): forcedStrings.insert(column)
            }
        }
    }
}

enum CSVOutcome {
    case done(RecordBatch)
    /// A column turned out to be text after numbers whose text was not kept: parse again
    /// with that column read as strings.
    case restart(Int)
}

struct CSVParser {
    let input: UnsafeBufferPointer<UInt8>
    let options: CSVReadOptions
    let forcedStrings: Set<Int>
    var position = 0
    var line = 1
    var scratch = [UInt8]()

    init(input: UnsafeBufferPointer<UInt8>, options: CSVReadOptions, forcedStrings: Set<Int>) {
        self.input = input
        self.options = options
        self.forcedStrings = forcedStrings
        if input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF { position = 3 }
    }

    mutating func parse() throws(ColumnarError) -> CSVOutcome {
        skipBlankLines()
        guard position < input.count else {
            throw ColumnarError(.invalidCSV, "the CSV file is empty; it needs a header line naming its columns")
        }
        var names = [String]()
        let headerLine = line
        try readRecord { field, _ in
            names.append(String(decoding: field, as: UTF8.self))
        }
        var seen = Set<String>()
        for (i, name) in names.enumerated() {
            if name.isEmpty { throw ColumnarError(.invalidCSV, "line \(headerLine): header column \(i + 1) has no name") }
            if !seen.insert(name).inserted { throw ColumnarError(.invalidCSV, "line \(headerLine): header names column '\(name)' twice") }
        }
        let declared = names.map { options.columnTypes[$0] }
        var columns = names.enumerated().map { i, name in
            CSVColumnBuilder(identifier: options.identifierColumns.contains(name), forcedString: forcedStrings.contains(i), declared: declared[i])
        }
        var rows = 0
        while true {
            skipBlankLines()
            if position >= input.count { break }
            let recordLine = line
            var index = 0
            var restart: Int? = nil
            try readRecord { field, quoted throws(ColumnarError) in
                if index < columns.count, restart == nil, !columns[index].append(field, quoted: quoted) {
                    guard let type = declared[index] else { restart = index; index += 1; return }
                    throw ColumnarError(.invalidCSV, "line \(recordLine): column '\(names[index])' is declared \(type) "
                                        + "but holds '\(String(decoding: field.prefix(60), as: UTF8.self))'")
                }
                index += 1
            }
            if let restart { return .restart(restart) }
            if index != columns.count {
                throw ColumnarError(.invalidCSV, "line \(recordLine): expected \(columns.count) fields (as in the header) but found \(index)")
            }
            rows += 1
        }
        var named = [(String, Column)]()
        for (name, builder) in zip(names, columns) { named.append((name, builder.finish())) }
        return .done(try RecordBatch(named))
    }

    private mutating func skipBlankLines() {
        while position < input.count && (input[position] == 0x0A || input[position] == 0x0D) {
            if input[position] == 0x0A { line += 1 }
            position += 1
        }
    }

    /// Reads one record, calling `field(bytes, quoted)` for each field.
    private mutating func readRecord(_ field: (UnsafeBufferPointer<UInt8>, Bool) throws(ColumnarError) -> Void) throws(ColumnarError) {
        let delimiter = options.delimiter
        while true {
            if position < input.count && input[position] == UInt8(ascii: "\"") {
                let startLine = line
                position += 1
                scratch.removeAll(keepingCapacity: true)
                var closed = false
                while position < input.count {
                    let byte = input[position]
                    if byte == UInt8(ascii: "\"") {
                        if position + 1 < input.count && input[position + 1] == UInt8(ascii: "\"") {
                            scratch.append(byte)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if byte == 0x0A { line += 1 }
                    scratch.append(byte)
                    position += 1
                }
                if !closed { throw ColumnarError(.invalidCSV, "line \(startLine): a quoted field is never closed") }
                if position < input.count, input[position] != delimiter, input[position] != 0x0A, input[position] != 0x0D {
                    throw ColumnarError(.invalidCSV, "line \(line): unexpected text after a closing quote; quote the whole field")
                }
                try scratch.withUnsafeBufferPointer { b throws(ColumnarError) in try field(b, true) }
            } else {
                let start = position
                while position < input.count {
                    let byte = input[position]
                    if byte == delimiter || byte == 0x0A || byte == 0x0D { break }
                    position += 1
                }
                try field(UnsafeBufferPointer(rebasing: input[start..<position]), false)
            }
            if position >= input.count { return }
            let byte = input[position]
            position += 1
            if byte == delimiter { continue }
            if byte == 0x0D, position < input.count, input[position] == 0x0A { position += 1 }
            line += 1
            return
        }
    }
}
