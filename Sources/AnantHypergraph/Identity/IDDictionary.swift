import AnantColumnar

/// The identifiers of one kind of element (nodes or edges) in dense-index order.
///
/// Dense index `i` names the `i`-th identifier in `ElementID` order: all integer ids
/// ascending, then all string ids in UTF-8 byte order. So the dense order is the sorted
/// label order that HyperNetX uses for its matrices, and the same set of ids always gets
/// the same indices, whatever order the input came in.
public struct IDDictionary: Sendable, Hashable {
    /// The integer identifiers, ascending and unique; indices `0 ..< integers.count`.
    public let integers: [Int64]
    /// The string identifiers, in byte order, unique, no nulls; indices follow the integers.
    public let strings: StringColumn

    /// Creates a dictionary from already sorted, unique parts (checked in debug builds).
    init(sortedIntegers: [Int64], sortedStrings: StringColumn) {
        assert(zip(sortedIntegers, sortedIntegers.dropFirst()).allSatisfy { $0 < $1 }, "integers must be sorted and unique")
        assert(sortedStrings.count < 2 || (1..<sortedStrings.count).allSatisfy { sortedStrings.compareRows($0 - 1, $0) < 0 },
               "strings must be sorted and unique")
        self.integers = sortedIntegers
        self.strings = sortedStrings
    }

    /// Creates a dictionary holding `ids` (in any order, repeats allowed).
    public init<S: Sequence>(_ ids: S) where S.Element == ElementID {
        let encoded = IDEncoder(context: .default).encode([.mixed(Array(ids))])
        self = encoded.dictionary
    }

    /// The empty dictionary.
    public static let empty = IDDictionary(sortedIntegers: [], sortedStrings: StringColumn())

    /// The number of identifiers.
    public var count: Int { integers.count + strings.count }

    /// True when there are no identifiers.
    public var isEmpty: Bool { count == 0 }

    /// The identifier at dense index `index`.
    public subscript(index: Int) -> ElementID {
        if index < integers.count { return .int(integers[index]) }
        return .string(strings[index - integers.count]!)
    }

    /// All identifiers in dense order.
    public var ids: [ElementID] { (0..<count).map { self[$0] } }

    /// The dense index of `id`, or nil when it is not present. O(log n).
    public func index(of id: ElementID) -> Int? {
        switch id {
        case .int(let value):
            var low = 0, high = integers.count
            while low < high {
                let mid = (low + high) >> 1
                if integers[mid] < value { low = mid + 1 } else { high = mid }
            }
            return low < integers.count && integers[low] == value ? low : nil
        case .string(var value):
            return value.withUTF8 { key in
                strings.bytes.withUnsafeBufferPointer { buffer -> Int? in
                    var low = 0, high = strings.count
                    while low < high {
                        let mid = (low + high) >> 1
                        let row = UnsafeBufferPointer(rebasing: buffer[strings.byteRange(mid)])
                        if ByteStrings.compare(row, key) < 0 { low = mid + 1 } else { high = mid }
                    }
                    guard low < strings.count,
                          ByteStrings.equal(UnsafeBufferPointer(rebasing: buffer[strings.byteRange(low)]), key) else { return nil }
                    return integers.count + low
                }
            }
        }
    }

    /// The identifiers at the given dense indices (ascending indices give a sorted result).
    public func subset<C: Collection>(_ indices: C) -> IDDictionary where C.Element == Int {
        var ints = [Int64]()
        var stringRows = [Int]()
        for index in indices {
            if index < integers.count { ints.append(integers[index]) } else { stringRows.append(index - integers.count) }
        }
        return IDDictionary(sortedIntegers: ints, sortedStrings: strings.gather(stringRows))
    }

    /// The identifiers as a column: `int64` when all are integers, `string` when all are
    /// strings, otherwise `json` (each id as a JSON number or string, so kinds survive).
    public var column: Column {
        if strings.count == 0 { return .int64(Int64Column(integers)) }
        if integers.isEmpty { return .string(strings) }
        return try! Column(type: .json, values: ids.map(\.scalar))
    }
}
