/// How the leaves of one top-level field assemble into nested values (Dremel), with the
/// rules pyarrow follows for legacy layouts: a LIST group's repeated child is the element
/// itself when it is primitive, has several fields, has a repeated field, or is named
/// `array` or `<list>_tuple` (else its only child is the element); a MAP group holds a
/// repeated key/value group; an unannotated repeated field is a required list.
indirect enum AssemblyPlan: Sendable {
    /// A primitive value of a leaf column.
    case leaf(column: Int, nullableAt: Int?)
    /// A struct; `nullableAt`: the definition level at which it is present (nil: required).
    case structure(names: [String], fields: [AssemblyPlan], nullableAt: Int?, probe: Int, leaves: [Int])
    /// A list whose elements exist at definition level `elementsAt` and continue at
    /// repetition level `repetition`.
    case list(element: AssemblyPlan, nullableAt: Int?, elementsAt: Int, repetition: Int, probe: Int, leaves: [Int])
    /// A map (list of key/value entries).
    case map(key: AssemblyPlan, value: AssemblyPlan?, nullableAt: Int?, elementsAt: Int, repetition: Int, probe: Int, leaves: [Int])

    /// The plan of top-level field `field` of `schema`.
    static func field(_ field: Int, of schema: ParquetSchema) -> AssemblyPlan {
        var next = schema.columns.first { $0.topLevelField == field }?.index ?? 0
        return plan(schema.fields[field], definition: 0, repetition: 0, nextLeaf: &next)
    }

    /// `asElement`: the node is a repeated node standing for its list's element; its
    /// repetition is already counted, and it is not itself null or a list.
    private static func plan(_ node: SchemaNode, definition: Int, repetition: Int, nextLeaf: inout Int,
                             asElement: Bool = false) -> AssemblyPlan {
        // An unannotated repeated node is a required list of (required) elements.
        if node.repetition == .repeated && !asElement {
            let first = nextLeaf
            let element = plan(node, definition: definition + 1, repetition: repetition + 1, nextLeaf: &nextLeaf, asElement: true)
            return .list(element: element, nullableAt: nil, elementsAt: definition + 1, repetition: repetition + 1,
                         probe: first, leaves: Array(first..<nextLeaf))
        }
        let optional = node.repetition == .optional && !asElement
        let level = optional ? definition + 1 : definition
        let nullableAt = optional ? level : nil
        let first = nextLeaf
        if node.isLeaf {
            nextLeaf += 1
            return .leaf(column: first, nullableAt: nullableAt)
        }
        if node.isListAnnotated, node.children.count == 1, node.children[0].repetition == .repeated {
            let repeated = node.children[0]
            let elementIsRepeated = repeated.isLeaf || repeated.children.count > 1
                || repeated.children.first?.repetition == .repeated
                || repeated.name == "array" || repeated.name == node.name + "_tuple"
            let element: AssemblyPlan
            if elementIsRepeated {
                element = plan(repeated, definition: level + 1, repetition: repetition + 1, nextLeaf: &nextLeaf, asElement: true)
            } else {
                element = plan(repeated.children[0], definition: level + 1, repetition: repetition + 1, nextLeaf: &nextLeaf)
            }
            return .list(element: element, nullableAt: nullableAt, elementsAt: level + 1, repetition: repetition + 1,
                         probe: first, leaves: Array(first..<nextLeaf))
        }
        if node.isMapAnnotated, node.children.count == 1, node.children[0].repetition == .repeated,
           !node.children[0].isLeaf, (1...2).contains(node.children[0].children.count) {
            let entry = node.children[0]
            let key = plan(entry.children[0], definition: level + 1, repetition: repetition + 1, nextLeaf: &nextLeaf)
            let value = entry.children.count > 1
                ? plan(entry.children[1], definition: level + 1, repetition: repetition + 1, nextLeaf: &nextLeaf) : nil
            return .map(key: key, value: value, nullableAt: nullableAt, elementsAt: level + 1, repetition: repetition + 1,
                        probe: first, leaves: Array(first..<nextLeaf))
        }
        var fields = [AssemblyPlan]()
        for child in node.children {
            fields.append(plan(child, definition: level, repetition: repetition, nextLeaf: &nextLeaf))
        }
        return .structure(names: node.children.map(\.name), fields: fields, nullableAt: nullableAt, probe: first,
                          leaves: Array(first..<nextLeaf))
    }
}
