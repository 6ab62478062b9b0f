/// Shell-style matching with `*` as the only wildcard.
package enum Glob {
    package static func matches(pattern: String, text: String) -> Bool {
        matches(Array(pattern.unicodeScalars)[...], Array(text.unicodeScalars)[...])
    }

    private static func matches(
        _ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>
    ) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == "*" {
            let rest = pattern.dropFirst()
            var suffix = text
            while true {
                if matches(rest, suffix) { return true }
                guard !suffix.isEmpty else { return false }
                suffix = suffix.dropFirst()
            }
        }
        guard let head = text.first, head == first else { return false }
        return matches(pattern.dropFirst(), text.dropFirst())
    }

    package static func matchesSegments(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>)
        -> Bool
    {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            var rest = path
            while true {
                if matchesSegments(pattern.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let head = path.first, matches(pattern: first, text: head) else { return false }
        return matchesSegments(pattern.dropFirst(), path.dropFirst())
    }
}
