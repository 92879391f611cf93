/// Builds nested values from the level entries of leaf columns (Dremel assembly).
///
/// The assembler walks an `AssemblyPlan` once per record, moving one cursor per leaf. A
/// null or empty node takes exactly one entry from each leaf below it; a list takes
/// elements while the next entry of its probe leaf repeats at the list's level. Every
/// cursor is checked against the entries that exist, so corrupt levels are an error.
struct RecordAssembler<Value> {
    /// Per leaf: levels and the number of entries.
    let columns: [ColumnChunkData]
    let maxDefinition: [Int]
    private var entry: [Int]
    private var value: [Int]

    let makeLeaf: (_ column: Int, _ valueIndex: Int) -> Value
    let makeNull: () -> Value
    let makeList: ([Value]) -> Value
    let makeStructure: ([String], [Value]) -> Value
    let makeMap: ([(Value, Value?)]) -> Value

    init(columns: [ColumnChunkData], maxDefinition: [Int],
         leaf: @escaping (Int, Int) -> Value, null: @escaping () -> Value, list: @escaping ([Value]) -> Value,
         structure: @escaping ([String], [Value]) -> Value, map: @escaping ([(Value, Value?)]) -> Value) {
        self.columns = columns
        self.maxDefinition = maxDefinition
        self.entry = [Int](repeating: 0, count: columns.count)
        self.value = [Int](repeating: 0, count: columns.count)
        self.makeLeaf = leaf
        self.makeNull = null
        self.makeList = list
        self.makeStructure = structure
        self.makeMap = map
    }

    /// The next record's value of the field `plan` describes.
    mutating func next(_ plan: AssemblyPlan) throws(ParquetError) -> Value {
        try read(plan)
    }

    /// Throws unless every leaf was consumed exactly.
    func checkFinished(_ leaves: [Int], names: [String]) throws(ParquetError) {
        for (leaf, name) in zip(leaves, names) where entry[leaf] != columns[leaf].entryCount {
            throw ParquetError.corrupt("column '\(name)' has \(columns[leaf].entryCount - entry[leaf]) level entries left after its last record")
        }
    }

    private func definition(_ leaf: Int) throws(ParquetError) -> Int {
        let e = entry[leaf]
        guard e < columns[leaf].entryCount else { throw ParquetError.corrupt("a nested column runs out of level entries before its last record") }
        return columns[leaf].definitionLevels.isEmpty ? maxDefinition[leaf] : Int(columns[leaf].definitionLevels[e])
    }

    private mutating func skip(_ leaves: [Int]) throws(ParquetError) {
        for leaf in leaves {
            guard entry[leaf] < columns[leaf].entryCount else {
                throw ParquetError.corrupt("a nested column runs out of level entries before its last record")
            }
            entry[leaf] += 1
        }
    }

    private mutating func read(_ plan: AssemblyPlan) throws(ParquetError) -> Value {
        switch plan {
        case .leaf(let column, let nullableAt):
            let d = try definition(column)
            entry[column] += 1
            if d == maxDefinition[column] {
                guard value[column] < columns[column].values.count else {
                    throw ParquetError.corrupt("a column has fewer values than its definition levels announce")
                }
                value[column] += 1
                return makeLeaf(column, value[column] - 1)
            }
            _ = nullableAt
            return makeNull()
        case .structure(let names, let fields, let nullableAt, let probe, let leaves):
            if let nullableAt, try definition(probe) < nullableAt {
                try skip(leaves)
                return makeNull()
            }
            var values = [Value]()
            values.reserveCapacity(fields.count)
            for field in fields { values.append(try read(field)) }
            return makeStructure(names, values)
        case .list(let element, let nullableAt, let elementsAt, let repetition, let probe, let leaves):
            let d = try definition(probe)
            if let nullableAt, d < nullableAt {
                try skip(leaves)
                return makeNull()
            }
            if d < elementsAt {
                try skip(leaves)
                return makeList([])
            }
            var elements = [Value]()
            repeat {
                elements.append(try read(element))
            } while continues(probe, at: repetition)
            return makeList(elements)
        case .map(let key, let valuePlan, let nullableAt, let elementsAt, let repetition, let probe, let leaves):
            let d = try definition(probe)
            if let nullableAt, d < nullableAt {
                try skip(leaves)
                return makeNull()
            }
            if d < elementsAt {
                try skip(leaves)
                return makeMap([])
            }
            var entries = [(Value, Value?)]()
            repeat {
                let k = try read(key)
                let v = try valuePlan.map { plan throws(ParquetError) in try read(plan) }
                entries.append((k, v))
            } while continues(probe, at: repetition)
            return makeMap(entries)
        }
    }

    /// True when the probe leaf's next entry is another element of a list at `repetition`.
    private func continues(_ probe: Int, at repetition: Int) -> Bool {
        let e = entry[probe]
        guard e < columns[probe].entryCount, !columns[probe].repetitionLevels.isEmpty else { return false }
        return Int(columns[probe].repetitionLevels[e]) == repetition
    }
}
