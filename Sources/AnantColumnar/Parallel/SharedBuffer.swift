/// A pointer handed to parallel tasks that write disjoint parts of one buffer (or only
/// read it). The tasks, not the type system, guarantee the absence of races.
public struct SharedBuffer<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    public let count: Int

    public init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 0x10)!
        count = buffer.count
    }

    public init(_ buffer: UnsafeBufferPointer<Element>) {
        base = UnsafeMutablePointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 0x10)!)
        count = buffer.count
    }

    @inline(__always) public subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }
}

/// A value handed to parallel tasks that only read it (or write disjoint parts of
/// storage it points to). The tasks, not the type system, guarantee the absence of races.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
}
