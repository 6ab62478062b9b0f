extension Array where Element == String {
    /// Returns the first `limit` names joined with commas, followed by "and N more" when some
    /// are left out, for messages that name what a problem concerns.
    public func shortList(limit: Int = 3) -> String {
        let shown = prefix(limit).joined(separator: ", ")
        return count > limit ? "\(shown) and \(count - limit) more" : shown
    }
}
