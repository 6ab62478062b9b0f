/// A growable array of plain values that only its owner uses, for the arrays that the tree
/// builder appends to once per event.
///
/// `Array` checks on every append that its storage is not shared, and copies a run of
/// elements through a generic path. This buffer is never shared, because it cannot be copied,
/// so an append is a capacity check and a store, and a run is copied in one piece. The
/// subscript and every method that takes a position check it against `count`.
struct GrowableBuffer<Element: BitwiseCopyable>: ~Copyable {
    /// The storage: `capacity` elements, of which the first `count` are initialized.
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    }

    deinit {
        // The elements are bitwise copyable, so they need no deinitialization.
        base.deallocate()
    }

    subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "index out of range")
            return base[position]
        }
        set {
            precondition(position >= 0 && position < count, "index out of range")
            base[position] = newValue
        }
    }

    mutating func append(_ element: Element) {
        if count == capacity { grow(toAtLeast: count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress, !elements.isEmpty else { return }
        let newCount = count + elements.count
        if newCount > capacity { grow(toAtLeast: newCount) }
        (base + count).initialize(from: source, count: elements.count)
        count = newCount
    }

    /// Appends the elements of `other` from position `start` to its end.
    mutating func append(contentsOf other: borrowing GrowableBuffer<Element>, from start: Int) {
        precondition(start >= 0 && start <= other.count, "index out of range")
        other.withUnsafeBufferPointer { elements in
            append(contentsOf: UnsafeBufferPointer(rebasing: elements[start...]))
        }
    }

    mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast from an empty buffer")
        count -= 1
        return base[count]
    }

    /// Drops the elements from position `newCount` on and keeps the storage.
    mutating func removeSuffix(from newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "index out of range")
        count = newCount
    }

    /// Calls `body` with the initialized elements. The pointer is valid only during the call.
    func withUnsafeBufferPointer<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<Element>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    private mutating func grow(toAtLeast minimumCapacity: Int) {
        let newCapacity = max(minimumCapacity, 2 * capacity)
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}

// The storage is reachable only through its one owner, because a buffer cannot be copied.
// Changing it takes exclusive access to that owner, and a tree keeps its buffers in `let`
// properties, which nothing changes. So no two threads can reach storage that may change.
extension GrowableBuffer: @unchecked Sendable {}
