/// Names derived from natural keys: manifest file names, secret variable names and proposed
/// external_ids. Each is a pure function of the key, so a re-export gives the same names. A
/// short hash of the exact key is added only where the readable form would be ambiguous.
enum ExportNaming {
    /// The prefix of every SIP password variable.
    static let passwordPrefix = "NGCP_PW_"

    /// `NGCP_PW_<DOMAIN>_<USERNAME>`: ASCII letters and digits upper-cased, every other
    /// character replaced by `_`. Example: `alice.b@sip.example.org` gives
    /// `NGCP_PW_SIP_EXAMPLE_ORG_ALICE_B`.
    static func passwordVariable(username: String, domain: String) -> String {
        passwordPrefix + variablePart(domain) + "_" + variablePart(username)
    }

    /// `NGCP_PW_<DOMAIN>_<USERNAME>_<PREFERENCE>`, the variable of a secret preference, formed
    /// like `passwordVariable`. Example: `peer_auth_pass` of `alice@sip.example.org` gives
    /// `NGCP_PW_SIP_EXAMPLE_ORG_ALICE_PEER_AUTH_PASS`.
    static func preferenceVariable(_ preference: String, username: String, domain: String)
        -> String
    {
        passwordVariable(username: username, domain: domain) + "_" + variablePart(preference)
    }

    /// Returns the key that `disambiguate` hashes for a secret preference's variable: the
    /// subscriber's key, NUL and the preference name. NGCP checks no domain's syntax, but a
    /// NUL is in no name, so the key differs from every subscriber's key.
    static func preferenceVariableKey(_ preference: String, subscriberKey: String) -> String {
        subscriberKey + "\u{0}" + preference
    }

    private static func variablePart(_ text: String) -> String {
        String(
            text.map { character -> Character in
                guard character.isASCII, character.isLetter || character.isNumber else {
                    return "_"
                }
                return Character(character.uppercased())
            })
    }

    /// Makes names unique: every name that more than one key produced gets `separator` and the
    /// hash of its key appended (upper-cased after `_`, for variable names). Keys are compared ignoring case when `foldCase` is set,
    /// as file systems on macOS and Windows do.
    static func disambiguate(
        _ names: [String: String], separator: String, foldCase: Bool
    ) -> [String: String] {
        var keysByName: [String: [String]] = [:]
        for (key, name) in names {
            keysByName[foldCase ? name.lowercased() : name, default: []].append(key)
        }
        var result = names
        for (_, keys) in keysByName where keys.count > 1 {
            for key in keys {
                let suffix = separator == "_" ? hash(key).uppercased() : hash(key)
                result[key] = names[key, default: ""] + separator + suffix
            }
        }
        return result
    }

    /// The maximum length of the readable part of a file name, in characters, before the hash.
    static let maxFileStem = 100

    /// Returns the file name of a customer, without directory or extension. Letters, digits, `.`, `_`
    /// and `-` stay; other characters become `-`, and a leading dot becomes `_` (the loader
    /// skips dot files). When anything had to change, `-` and the hash of the exact
    /// external_id is appended, so `ACME Ltd` and `ACME-Ltd` get different files.
    static func fileStem(externalID: String) -> String {
        var stem = String(
            externalID.map { character -> Character in
                let safe =
                    character.isASCII
                    && (character.isLetter || character.isNumber || "._-".contains(character))
                return safe ? character : "-"
            })
        if stem.hasPrefix(".") { stem = "_" + stem.dropFirst() }
        let changed = stem != externalID || stem.count > maxFileStem
        if stem.count > maxFileStem { stem = String(stem.prefix(maxFileStem)) }
        return changed ? stem + "-" + hash(externalID) : stem
    }

    /// Proposes an external_id for a customer that has none: a slug of the contact's company (or
    /// the local part of its e-mail address) followed by the customer's id, which makes it
    /// unique on the platform. Without either, `customer-<id>`. A clash with an existing
    /// external_id gets `-2`, `-3`, ... appended.
    static func proposedExternalID(
        customerID: Int, company: String?, email: String?, taken: Set<String>
    ) -> String {
        let localPart = email.map { String($0.split(separator: "@").first ?? "") }
        let base = [company, localPart].compactMap { $0.map(slug) }.first { !$0.isEmpty }
        var candidate = "\(base ?? "customer")-\(customerID)"
        let lowered = Set(taken.map { $0.lowercased() })
        var suffix = 2
        let start = candidate
        while lowered.contains(candidate.lowercased()) {
            candidate = "\(start)-\(suffix)"
            suffix += 1
        }
        return candidate
    }

    /// Lower-case ASCII letters and digits, with runs of anything else as one `-`, at most 40
    /// characters.
    static func slug(_ text: String) -> String {
        var result = ""
        var pendingDash = false
        for character in text.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                if pendingDash, !result.isEmpty { result.append("-") }
                result.append(character)
                pendingDash = false
            } else {
                pendingDash = true
            }
        }
        return String(result.prefix(40)).trimmingDashes()
    }

    /// Hashes the UTF-8 bytes with 32-bit FNV-1a, returning 8 lower-case hex digits. Stable across
    /// runs and platforms, unlike Swift's `Hasher`.
    static func hash(_ text: String) -> String {
        var value: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            value ^= UInt32(byte)
            value = value &* 16_777_619
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}

extension String {
    fileprivate func trimmingDashes() -> String {
        var text = Substring(self)
        while text.hasSuffix("-") { text = text.dropLast() }
        while text.hasPrefix("-") { text = text.dropFirst() }
        return String(text)
    }
}
