#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A JSON syntax error with the byte offset where parsing stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}

extension JSONValue {
    /// The deepest nesting accepted, so that hostile input cannot exhaust the stack.
    public static let maximumNestingDepth = 512

    /// Parses a complete JSON text (RFC 8259).
    ///
    /// Duplicate object keys are rejected, as ngcp-panel's parser rejects them; trailing content
    /// after the value is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try withParser(Array(bytes)) { parser throws(JSONParseError) in
            try parser.parseValue(depth: 0)
        }
    }

    /// Parses a HAL collection page whose items are the list `_embedded.<relation>`. The
    /// items come back as member lists in source order: a page has many of them, and
    /// building a dictionary for each costs more than the rest of reading it. The `_links` of
    /// the items make up most of a page. Only the `href` of each item's `self` link is kept;
    /// the other links are checked for well-formed structure and skipped without being built.
    ///
    /// - Throws: `JSONParseError` for invalid JSON, a top-level value that is not an object,
    ///   or items that are not objects.
    public static func parseCollectionPage(_ bytes: [UInt8], relation: String)
        throws(JSONParseError) -> JSONCollectionPage
    {
        try withParser(bytes) { parser throws(JSONParseError) in
            parser.itemRelation = relation
            guard parser.position < parser.bytes.count,
                parser.bytes[parser.position] == UInt8(ascii: "{")
            else { throw parser.error("expected a JSON object for a collection page") }
            let base = try parser.parseMembers(depth: 0, context: .page)
            return JSONCollectionPage(
                members: try parser.takeMembers(from: base), items: parser.items)
        }
    }

    /// Runs `parse` on a parser of `bytes` from the first value on, and rejects anything but
    /// whitespace after what it read.
    private static func withParser<Parsed>(
        _ bytes: [UInt8], _ parse: (inout JSONByteParser) throws(JSONParseError) -> Parsed
    ) throws(JSONParseError) -> Parsed {
        // The parser reads through a buffer pointer: every access is already guarded by a
        // position check, so the array's own bounds check is redundant on this hot path.
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> Parsed in
                var parser = JSONByteParser(bytes: buffer)
                parser.skipWhitespace()
                let parsed = try parse(&parser)
                parser.skipWhitespace()
                if parser.position < parser.bytes.count {
                    throw parser.error("unexpected content after the JSON value")
                }
                return parsed
            }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

private struct JSONByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// Members of the objects being parsed, innermost last. Each object's members are
    /// collected here and stored into a dictionary of the exact capacity when the object
    /// ends: growing a dictionary member by member rehashes it several times and leaves the
    /// smaller tables behind as holes between the objects that are kept.
    var pendingMembers: [(key: String, value: JSONValue, offset: Int)] = []
    /// Elements of the arrays being parsed, innermost last, for the same reason.
    var pendingElements: [JSONValue] = []
    /// When set, the array `_embedded.<itemRelation>` of the top-level object is read into
    /// `items` as member lists instead of dictionaries; see `parseCollectionPage`.
    var itemRelation: String? = nil
    var items: [JSONCollectionItem]? = nil
    /// The `self` link of the item being read, and whether it had `_links` at all, to reject
    /// a second one.
    var itemSelfLink: String? = nil
    var itemHasLinks = false
    /// Whether the page's `_embedded` object was read, to reject a second one.
    var hasEmbedded = false
    /// Keys longer than a small string, as first read. A collection page repeats the same
    /// keys in every item; sharing one copy saves an allocation per key and item.
    var longKeys: [String] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(message: message, offset: position)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of input") }
        if depth > JSONValue.maximumNestingDepth {
            throw error("nesting deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[position])))'")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let utf8 = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in utf8 {
            guard position < bytes.count, bytes[position] == byte else {
                throw error("invalid literal, expected '\(literal)'")
            }
            position += 1
        }
    }

    /// The position of an object in a collection page, whose top-level and `_embedded`
    /// objects are read differently.
    enum ObjectContext {
        case plain
        /// The top-level object of a collection page.
        case page
        /// The page's `_embedded` object.
        case embedded
        /// An item of the page's list, whose `_links` are reduced to the `self` link.
        case item
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        let base = try parseMembers(depth: depth, context: .plain)
        return .object(try takeMembers(from: base))
    }

    /// Reads an object, from its opening brace, onto `pendingMembers`. Returns the index of
    /// its first member there.
    mutating func parseMembers(depth: Int, context: ObjectContext) throws(JSONParseError) -> Int {
        position += 1
        let base = pendingMembers.count
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return base
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a string key")
            }
            let keyOffset = position
            let key = try parseKey()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("expected ':' after an object key")
            }
            position += 1
            skipWhitespace()
            let opensObject = position < bytes.count && bytes[position] == UInt8(ascii: "{")
            if context == .embedded, key == itemRelation {
                guard items == nil else {
                    throw JSONParseError(message: "duplicate key '\(key)'", offset: keyOffset)
                }
                try parseItems(depth: depth + 1)
            } else if context == .page, key == "_embedded", opensObject {
                guard !hasEmbedded else {
                    throw JSONParseError(message: "duplicate key '\(key)'", offset: keyOffset)
                }
                hasEmbedded = true
                let embedded = try parseMembers(depth: depth + 1, context: .embedded)
                pendingMembers.append((key, .object(try takeMembers(from: embedded)), keyOffset))
            } else if context == .item, key == "_links" {
                guard !itemHasLinks else {
                    throw JSONParseError(message: "duplicate key '\(key)'", offset: keyOffset)
                }
                itemHasLinks = true
                // Links that are not an object have no self link.
                if opensObject {
                    itemSelfLink = try parseSelfLink(depth: depth + 1)
                } else {
                    try skipValue(depth: depth + 1)
                }
            } else {
                pendingMembers.append((key, try parseValue(depth: depth + 1), keyOffset))
            }
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return base
            }
            throw error("expected ',' or '}' in object")
        }
    }

    /// Reads the items of a collection page, a list of objects or a lone object, into
    /// `items`.
    mutating func parseItems(depth: Int) throws(JSONParseError) {
        guard depth <= JSONValue.maximumNestingDepth else {
            throw error("nesting deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        var list: [JSONCollectionItem] = []
        guard position < bytes.count else { throw error("unexpected end of input") }
        if bytes[position] == UInt8(ascii: "{") {
            list.append(try parseItem(depth: depth))
            items = list
            return
        }
        guard bytes[position] == UInt8(ascii: "[") else {
            throw error("expected a list of objects as the page's items")
        }
        try parseElements { parser throws(JSONParseError) in
            guard parser.position < parser.bytes.count,
                parser.bytes[parser.position] == UInt8(ascii: "{")
            else { throw parser.error("expected an object as a page item") }
            list.append(try parser.parseItem(depth: depth + 1))
        }
        items = list
    }

    /// Reads one item as its members in source order, without hashing them into a
    /// dictionary; a repeated key is still an error.
    mutating func parseItem(depth: Int) throws(JSONParseError) -> JSONCollectionItem {
        itemSelfLink = nil
        itemHasLinks = false
        let base = try parseMembers(depth: depth, context: .item)
        var members: [JSONMember] = []
        members.reserveCapacity(pendingMembers.count - base)
        var ascending = true
        for index in base..<pendingMembers.count {
            let member = pendingMembers[index]
            if let last = members.last, !(last.name < member.key) { ascending = false }
            members.append(JSONMember(name: member.key, value: member.value))
        }
        // Keys in ascending order cannot repeat. Otherwise a set finds the first repetition.
        if !ascending {
            var seen: Set<String> = []
            for index in base..<pendingMembers.count {
                let member = pendingMembers[index]
                guard seen.insert(member.key).inserted else {
                    throw JSONParseError(
                        message: "duplicate key '\(member.key)'", offset: member.offset)
                }
            }
        }
        pendingMembers.removeSubrange(base...)
        return JSONCollectionItem(
            members: JSONMembers(members, sorted: ascending), selfLink: itemSelfLink)
    }

    /// Stores the pending members from `base` on into one dictionary and drops them from the
    /// stack. One hash lookup per member both stores it and detects a repeated key.
    mutating func takeMembers(from base: Int) throws(JSONParseError) -> [String: JSONValue] {
        var object = [String: JSONValue](minimumCapacity: pendingMembers.count - base)
        for index in base..<pendingMembers.count {
            let member = pendingMembers[index]
            if object.updateValue(member.value, forKey: member.key) != nil {
                throw JSONParseError(
                    message: "duplicate key '\(member.key)'", offset: member.offset)
            }
        }
        pendingMembers.removeSubrange(base...)
        return object
    }

    /// Reads an object key. Keys that do not fit in a small string are shared through
    /// `longKeys`.
    mutating func parseKey() throws(JSONParseError) -> String {
        let start = position + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"),
            bytes[end] >= 0x20, bytes[end] < 0x80
        {
            end += 1
        }
        let length = end - start
        guard length > 15, end < bytes.count, bytes[end] == UInt8(ascii: "\"") else {
            return try parseString()
        }
        let written = UnsafeBufferPointer(rebasing: bytes[start..<end])
        for known in longKeys where known.utf8.count == length {
            let same = known.utf8.withContiguousStorageIfAvailable { stored in
                memcmp(stored.baseAddress!, written.baseAddress!, length) == 0
            }
            if same ?? known.utf8.elementsEqual(written) {
                position = end + 1
                return known
            }
        }
        let key = try parseString()
        if longKeys.count < 64 { longKeys.append(key) }
        return key
    }

    /// Reads an item's `_links` object and returns the `href` of its `self` relation when
    /// that is an object with a string `href`. Relation names are compared as bytes, so
    /// that the skipped relations build nothing.
    mutating func parseSelfLink(depth: Int) throws(JSONParseError) -> String? {
        var href: String? = nil
        var hasSelf = false
        try parseKeyedMembers(depth: depth) { parser, key throws(JSONParseError) in
            guard parser.keyEquals(key, "self") else {
                return try parser.skipValue(depth: depth + 1)
            }
            // A repeated `self` or `href` would make the link ambiguous, so it is an error as
            // any repeated key of a plain object is.
            guard !hasSelf else { throw Self.duplicateKey("self", at: key) }
            hasSelf = true
            guard parser.position < parser.bytes.count,
                parser.bytes[parser.position] == UInt8(ascii: "{")
            else { return try parser.skipValue(depth: depth + 1) }
            var hasHref = false
            try parser.parseKeyedMembers(depth: depth + 1) { parser, key throws(JSONParseError) in
                guard parser.keyEquals(key, "href") else {
                    return try parser.skipValue(depth: depth + 2)
                }
                guard !hasHref else { throw Self.duplicateKey("href", at: key) }
                hasHref = true
                let isString =
                    parser.position < parser.bytes.count
                    && parser.bytes[parser.position] == UInt8(ascii: "\"")
                guard isString else { return try parser.skipValue(depth: depth + 2) }
                href = try parser.parseString()
            }
        }
        return href
    }

    /// Returns the error for a key that repeats, at its opening quote.
    static func duplicateKey(_ name: String, at key: Range<Int>) -> JSONParseError {
        JSONParseError(message: "duplicate key '\(name)'", offset: key.lowerBound - 1)
    }

    /// Returns whether the key at `range` of the input, quotes excluded, is `name` once decoded.
    func keyEquals(_ range: Range<Int>, _ name: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        let written = UnsafeBufferPointer(rebasing: bytes[range])
        if written.elementsEqual(expected) { return true }
        // A key with escapes, such as "s\u0065lf", is decoded first; keys rarely have any.
        // Escapes make a key longer as written, by at most six bytes per character.
        guard written.count > expected.count, written.count <= 6 * expected.count,
            written.contains(UInt8(ascii: "\\"))
        else { return false }
        var decoder = self
        decoder.position = range.lowerBound - 1
        guard let key = try? decoder.parseString() else { return false }
        return key.utf8.elementsEqual(expected)
    }

    /// Reads an object from its opening brace, calling `member` with the byte range of each
    /// key, quotes excluded, once the position is at the member's value, which `member` must
    /// read.
    mutating func parseKeyedMembers(
        depth: Int, _ member: (inout JSONByteParser, Range<Int>) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a string key")
            }
            let keyStart = position + 1
            try skipValue(depth: depth + 1)
            let key = keyStart..<(position - 1)
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("expected ':' after an object key")
            }
            position += 1
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return
            }
            throw error("expected ',' or '}' in object")
        }
    }

    /// Moves past one value, checking its structure but building nothing.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard position < bytes.count else { throw error("unexpected end of input") }
        if depth > JSONValue.maximumNestingDepth {
            throw error("nesting deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[position] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == close {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw error("expected a string key")
                    }
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                        throw error("expected ':' after an object key")
                    }
                    position += 1
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard position < bytes.count else { throw error("unexpected end of input") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if bytes[position] == close {
                    position += 1
                    return
                }
                throw error("expected ',' or a closing bracket")
            }
        case UInt8(ascii: "\""):
            position = try endOfString(from: position + 1)
        default:
            _ = try parseValue(depth: depth)
        }
    }

    /// Returns the position after the closing quote of the string whose contents start at
    /// `start`, checking that it has no unescaped control character.
    func endOfString(from start: Int) throws(JSONParseError) -> Int {
        // A local index and count keep this loop, which runs over most bytes of a page, in
        // registers.
        let count = bytes.count
        var index = start
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return index + 1 }
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte < 0x20 {
                throw JSONParseError(
                    message: "unescaped control character in string", offset: index)
            }
            index += 1
        }
        throw JSONParseError(message: "unterminated string", offset: index)
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        let base = pendingElements.count
        try parseElements { parser throws(JSONParseError) in
            parser.pendingElements.append(try parser.parseValue(depth: depth + 1))
        }
        let array = Array(pendingElements[base...])
        pendingElements.removeSubrange(base...)
        return .array(array)
    }

    /// Reads a list from its opening bracket to its closing one, calling `element` at the
    /// start of each element, which must read it.
    mutating func parseElements(
        _ element: (inout JSONByteParser) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return
            }
            throw error("expected ',' or ']' in array")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw error("invalid number")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("invalid number: digits expected after '.'")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count,
            bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")
        {
            isInteger = false
            position += 1
            if position < bytes.count,
                bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
            {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error("invalid number: digits expected in exponent")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let value = Int(text) {
            return .int(value)
        }
        guard let value = Double(text) else { throw error("invalid number '\(text)'") }
        return .double(value)
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    mutating func parseString() throws(JSONParseError) -> String {
        position += 1

        // Most strings have no escape: find the closing quote and decode the bytes in place,
        // without copying them one by one.
        let start = position
        var end = start
        var isASCII = true
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                // ASCII needs no validation, and most strings of the API are ASCII.
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
                let text =
                    isASCII
                    ? String(decoding: slice, as: UTF8.self)
                    : String(validating: slice, as: UTF8.self)
                position = end + 1
                guard let text else { throw error("string is not valid UTF-8") }
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { isASCII = false }
            end += 1
        }

        var utf8: [UInt8] = Array(bytes[start..<end])
        position = end
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw error("string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw error("unescaped control character in string")
            default:
                utf8.append(byte)
                position += 1
            }
        }
        throw error("unterminated string")
    }

    mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONParseError) {
        guard position < bytes.count else { throw error("unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): utf8.append(0x22)
        case UInt8(ascii: "\\"): utf8.append(0x5C)
        case UInt8(ascii: "/"): utf8.append(0x2F)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw error("unpaired surrogate in \\u escape") }
                position += 2
                let low = try parseHexQuad()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw error("invalid low surrogate in \\u escape")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error("unpaired surrogate in \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
            utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    mutating func parseHexQuad() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"):
                digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }
}
