/// The decoded content of one column chunk (or of several chunks of the same column
/// appended together): its level entries and its non-null values.
public struct ColumnChunkData: Sendable {
    /// One definition level per entry; empty when the leaf's maximum is 0 (every entry
    /// holds a value).
    public var definitionLevels: [Int16] = []
    /// One repetition level per entry; empty when the leaf is not repeated.
    public var repetitionLevels: [Int16] = []
    /// The values of the entries whose definition level is the maximum, in order.
    public var values: LeafValues
    /// The number of level entries.
    public var entryCount = 0

    init(physicalType: PhysicalType) {
        values = .empty(physicalType)
    }
}
