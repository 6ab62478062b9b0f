/// The number of terminal columns that text takes, for lining a caret up under a source line.
///
/// Terminals show East Asian wide and fullwidth characters (Unicode property East_Asian_Width
/// W or F) in two columns. Nonspacing and enclosing marks and format characters such as
/// U+200B take none, and everything else takes one.
package enum DisplayWidth {
    /// Returns the whitespace that moves a caret past `text`, printed on the next line at the
    /// same indentation. Each tab stays a tab, so that it reaches the same tab stop as the tab
    /// above it, and every other character becomes as many spaces as the columns it takes.
    package static func caretPadding(before text: some Sequence<Character>) -> String {
        var padding = ""
        for character in text {
            if character == "\t" {
                padding += "\t"
            } else {
                padding += String(repeating: " ", count: columns(of: character))
            }
        }
        return padding
    }

    /// Returns the columns of `character`, a grapheme cluster, as the widest of its scalars:
    /// `e` with an accent takes one column, and a flag or emoji joined by U+200D take two.
    ///
    /// NOTE: terminals disagree about a text-style emoji made emoji-style by U+FE0F, such as
    /// `❤️`, and about keycaps. Both count as their base character here, one column.
    package static func columns(of character: Character) -> Int {
        var widest = 0
        for scalar in character.unicodeScalars {
            widest = max(widest, columns(of: scalar))
        }
        return widest
    }

    /// Returns 0, 1 or 2: the columns of `scalar` on its own.
    package static func columns(of scalar: Unicode.Scalar) -> Int {
        switch scalar.properties.generalCategory {
        // A soft hyphen is a format character that terminals show as a hyphen.
        case .format where scalar != "\u{AD}": return 0
        case .nonspacingMark, .enclosingMark: return 0
        default: break
        }
        if scalar.value < wideRanges[0].lowerBound { return 1 }

        // Every character with the Emoji_Presentation property is W (checked against the
        // Unicode 14.0 data), except the regional indicators, which are N. Terminals show a pair
        // of them as one flag in two columns, and the pair is one character.
        if scalar.properties.isEmojiPresentation { return 2 }
        return isWide(scalar.value) ? 2 : 1
    }

    /// Searches `wideRanges` for `value` by bisection, because the ranges are sorted and do not
    /// overlap.
    private static func isWide(_ value: UInt32) -> Bool {
        var low = 0
        var high = wideRanges.count
        while low < high {
            let middle = (low + high) / 2
            if wideRanges[middle].upperBound < value {
                low = middle + 1
            } else if wideRanges[middle].lowerBound > value {
                high = middle
            } else {
                return true
            }
        }
        return false
    }

    /// The blocks whose characters are East_Asian_Width W or F, apart from emoji. A range may
    /// take in unassigned code points between wide blocks, to keep the table short.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,  // Hangul Jamo: leading consonants
        0x2329...0x232A,  // angle brackets
        0x2E80...0x303E,  // CJK radicals, Kangxi radicals, ideographic description, CJK punctuation
        0x3041...0x3247,  // kana, Bopomofo, Hangul compatibility jamo, enclosed CJK letters
        0x3250...0x4DBF,  // enclosed CJK, CJK compatibility, CJK Unified Ideographs Extension A
        0x4E00...0xA4CF,  // CJK Unified Ideographs, Yi
        0xA960...0xA97F,  // Hangul Jamo Extended-A
        0xAC00...0xD7A3,  // Hangul syllables
        0xF900...0xFAFF,  // CJK Compatibility Ideographs
        0xFE10...0xFE19,  // vertical forms
        0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
        0xFF00...0xFF60,  // fullwidth ASCII and brackets
        0xFFE0...0xFFE6,  // fullwidth signs
        0x16FE0...0x16FFF,  // ideographic symbols and punctuation
        0x17000...0x18D7F,  // Tangut, Khitan small script
        0x1AFF0...0x1B2FF,  // kana supplements, Nushu
        0x1F200...0x1F2FF,  // enclosed ideographic supplement
        0x20000...0x2FFFD,  // plane 2: CJK ideographs
        0x30000...0x3FFFD,  // plane 3: CJK ideographs
    ]
}
