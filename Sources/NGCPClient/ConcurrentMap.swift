/// Applies `transform` to every element with at most `maxConcurrent` calls running at once,
/// and returns the results in input order. The first error cancels the remaining calls and is
/// rethrown.
public func concurrentMap<Input: Sendable, Output: Sendable>(
    _ inputs: [Input], maxConcurrent: Int,
    _ transform: @escaping @Sendable (Input) async throws -> Output
) async throws -> [Output] {
    guard !inputs.isEmpty else { return [] }
    let width = max(1, min(maxConcurrent, inputs.count))

    return try await withThrowingTaskGroup(of: (Int, Output).self) { group in
        var results = [Output?](repeating: nil, count: inputs.count)
        var nextIndex = 0

        // Start `width` calls, then one more each time a call finishes.
        while nextIndex < width {
            let index = nextIndex
            group.addTask { (index, try await transform(inputs[index])) }
            nextIndex += 1
        }
        while let (index, output) = try await group.next() {
            results[index] = output
            if nextIndex < inputs.count {
                let index = nextIndex
                group.addTask { (index, try await transform(inputs[index])) }
                nextIndex += 1
            }
        }
        return results.compactMap { $0 }
    }
}
