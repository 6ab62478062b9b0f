import NGCPCore
import YAMLReader

/// Every diagnostic text of the manifest loader, kept together so that tests can assert the
/// exact wording.
enum Message {
    // MARK: - Files and YAML

    static func unreadable(_ path: String, reason: String) -> String {
        "cannot read '\(path)': \(reason)"
    }

    static func fileTooLarge(_ size: Int, limit: Int) -> String {
        "the file is \(size) bytes, more than the limit of \(limit) bytes"
    }
    static let fileTooLargeHint =
        "split the file into smaller files with some of its documents each, since a directory"
        + " given to ngcpctl loads every *.yaml and *.yml file in it"

    static func noManifests(_ directory: String) -> String {
        "directory '\(directory)' contains no manifests (*.yaml or *.yml)"
    }

    static func danglingLink(_ path: String, target: String) -> String {
        "'\(path)' is a symbolic link to '\(target)', which does not exist"
    }

    static func directoryLoop(_ path: String) -> String {
        "'\(path)' is a symbolic link that leads back to a directory above it"
    }

    static func pathNotFound(_ path: String) -> String {
        "'\(path)' does not exist"
    }

    static func invalidYAML(_ message: String) -> String {
        "invalid YAML: \(message)"
    }

    static let tabIndentationHint =
        "YAML indents with spaces only: replace the tabs at the start of the line with spaces"

    // MARK: - Shapes and types

    static func typeMismatch(expected: String, found node: YAMLNode) -> String {
        "expected \(expected), found \(describe(node))"
    }

    static func keyNotString(_ key: YAMLNode) -> String {
        "mapping key must be a string, found \(describe(key))"
    }

    static func unknownField(_ name: String, suggestion: String?) -> String {
        guard let suggestion else { return "unknown field '\(name)'" }
        return "unknown field '\(name)'; did you mean '\(suggestion)'?"
    }

    static func validFields(_ names: [String]) -> String {
        "valid fields: " + names.joined(separator: ", ")
    }

    static func missingField(_ name: String) -> String {
        "missing required field '\(name)'"
    }

    static func tooLong(_ value: String, maxLength: Int) -> String {
        "value '\(value)' is \(value.count) characters long, more than the maximum of \(maxLength)"
    }

    static func beyond64Bits(_ text: String) -> String {
        "value '\(text)' is out of range; integers have at most 64 bits"
    }

    static func notFinite(_ text: String) -> String {
        "value '\(text)' is not a finite number"
    }

    static func outOfRange<Bound>(_ text: String, range: ClosedRange<Bound>) -> String {
        if let upper = range.upperBound as? Int, upper == Int.max {
            return "value '\(text)' is out of range; expected \(range.lowerBound) or more"
        }
        return
            "value '\(text)' is out of range; expected \(range.lowerBound) to \(range.upperBound)"
    }

    static func invalidChoice(_ value: String, allowed: [String], suggestion: String?) -> String {
        let list = allowed.map { $0.isEmpty ? "''" : $0 }.joined(separator: ", ")
        var text = "invalid value '\(value)'; expected one of \(list)"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }

    static func yaml11Boolean(_ text: String) -> String {
        "unquoted '\(text)' is the string \"\(text)\" in YAML 1.2, not a boolean"
    }

    static let yaml11BooleanHint = "write true or false"

    // MARK: - Document envelope

    static func unsupportedAPIVersion(_ value: String) -> String {
        "unsupported apiVersion '\(value)'; expected 'ngcpctl/v1'"
    }

    static func unknownKind(_ value: String, suggestion: String?) -> String {
        var text = "unknown kind '\(value)'; expected one of Domain, Customer, Subscriber"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }

    static let emptyName = "name must not be empty"
    static let emptyValue = "the value must not be empty"
    static let emptySecret = "the secret is empty"

    static func secretTooLong(maxLength: Int) -> String {
        "the secret is longer than \(maxLength) characters, the maximum that NGCP accepts"
    }

    // MARK: - Kinds

    static func invalidSubscriberName(_ name: String) -> String {
        "subscriber name '\(name)' is not of the form username@domain"
    }

    static let subscriberNameHint = "write the name as username@domain, e.g. alice@sip.example.org"

    static func nameWithSpace(_ name: String) -> String {
        "name '\(name)' contains a space"
    }

    static func invalidUsername(_ username: String) -> String {
        "username '\(username)' is invalid; use at most 127 ASCII letters (a-z, A-Z), digits"
            + " (0-9) and + = , ; _ . ~ ' ( ) ! * -, with no leading, trailing or double dot"
    }

    static func usernameWithSpace(_ username: String) -> String {
        "username '\(username)' contains a space"
    }

    static func invalidEmail(_ value: String) -> String {
        "value '\(value)' is not an e-mail address"
    }

    static func invalidCountry(_ value: String) -> String {
        "country '\(value)' is not a two-letter ISO 3166 code"
    }

    /// Returns a hint for the codes that are in common use but not ISO 3166 codes.
    static func countryHint(_ value: String) -> String? {
        switch value.uppercased() {
        case "UK": "the ISO 3166 code of the United Kingdom is GB"
        case "EL": "the ISO 3166 code of Greece is GR"
        default: nil
        }
    }

    static let missingBillingProfile =
        "missing required field 'billing_profile'"
    static let missingBillingProfileHint =
        "set spec.billing_profile to a billing profile handle, or set default_billing_profile"
        + " for the target in ngcpctl.yaml"

    static func notDigits(_ text: String, field: String) -> String {
        "\(field) '\(text)' must contain digits only"
    }

    static func digitCount(_ text: String, field: String, range: ClosedRange<Int>) -> String {
        "\(field) '\(text)' must have \(range.lowerBound) to \(range.upperBound) digits"
    }

    static func countryCodeLeadingZero(_ text: String) -> String {
        "cc '\(text)' must not start with 0"
    }

    /// Returns a hint for a country code written with the international call prefix.
    static func countryCodeHint(_ text: String) -> String? {
        let code = text.drop { $0 == "0" }
        guard text.hasPrefix("0"), !code.isEmpty else { return nil }
        return "write the country code without the international prefix: cc: \(code)"
    }

    static let literalSecret = "secret is written in the manifest as a literal value"
    static let literalSecretHint = "use {env: NAME} or {file: PATH} so the value stays out of git"

    /// Returns the error for a literal secret with a tab or a line feed, which names the
    /// character and never the value.
    static func literalSecretWhitespace(_ character: Unicode.Scalar) -> String {
        let name = character == "\t" ? "a tab" : "a line break"
        return "the literal secret contains \(name) (\(codePoint(character))), which a password"
            + " may not contain"
    }

    static let literalSecretWhitespaceHint =
        "remove the character; a block scalar (| or >) ends with a line break unless written |-"
        + " or >-"

    static func aliasCopiesSecret(from field: String) -> String {
        "the YAML alias copies the literal secret of '\(field)' into a field that is not a secret"
    }

    static func aliasCopiesSecretIntoKey(from field: String) -> String {
        "the YAML alias copies the literal secret of '\(field)' into a mapping key"
    }

    static func secretCopiedByAlias(to field: String) -> String {
        "a YAML alias makes this value the literal secret of '\(field)', but this field is not"
            + " a secret"
    }

    static func aliasedSecretHint(_ field: String) -> String {
        "write '\(field)' as {env: NAME} or {file: PATH}, and give this field a value of its own"
    }

    static let secretSourceShape = "expected a string, {env: NAME} or {file: PATH}"

    static func invalidEnvironmentName(_ name: String) -> String {
        "environment variable name '\(name)' is not valid"
    }

    static let emptyFilePath = "file path must not be empty"

    static let invalidPasswordEnvironmentName =
        "not a valid environment variable name; the value is not shown, because it may be"
        + " the password itself"
    static let invalidPasswordEnvironmentNameHint =
        "name the variable that holds the password: letters, digits and '_', not starting"
        + " with a digit, such as NGCP_PASSWORD"

    // MARK: - Call forwards

    static func missingDestinations(_ type: String) -> String {
        "call forward '\(type)' needs at least one destination"
    }

    static let missingDestinationsHint =
        "add destinations, or remove the entry (or write `{}`) to clear this forward"

    static func ringTimeoutOnlyCFT(_ type: String) -> String {
        "ringtimeout is only valid on cft, not on \(type)"
    }

    static func invalidPeriod(_ text: String, field: String, range: ClosedRange<Int>) -> String {
        "\(field) '\(text)' must be N or N-M with values from \(range.lowerBound) to"
            + " \(range.upperBound)"
    }

    static func yearRangeDescending(_ text: String) -> String {
        "year range '\(text)' must not run backwards"
    }

    static let announcementOnlyCustomHours =
        "announcement_id is only allowed with the destination 'customhours'"

    // MARK: - Preferences

    static func unknownPreference(_ name: String, suggestion: String?) -> String {
        guard let suggestion else { return "unknown preference '\(name)'" }
        return "unknown preference '\(name)'; did you mean '\(suggestion)'?"
    }

    static func internalPreference(_ name: String) -> String {
        "preference '\(name)' is internal and managed by NGCP itself"
    }

    static func internalPreferenceHint(_ name: String) -> String? {
        if ["cfu", "cfb", "cft", "cfna", "cfs", "cfr", "cfo", "ringtimeout"].contains(name) {
            return "declare call forwards under spec.callforwards"
        }
        return nil
    }

    static let lockPreference = "preference 'lock' is managed through the subscriber's lock field"
    static let lockPreferenceHint = "set spec.lock instead"

    static func serverSetPreference(_ name: String) -> String {
        "preference '\(name)' is normally set by NGCP from the subscriber's primary number;"
            + " a value here overrides it"
    }

    static func blobPreference(_ name: String) -> String {
        "preference '\(name)' holds binary data, which manifests cannot set"
    }

    static func duplicateListValue(_ node: YAMLNode, preference: String) -> String {
        "value '\(node.scalar?.text ?? "")' is listed twice in preference '\(preference)'"
    }

    // MARK: - Cross-document checks

    static func duplicate(kind: String, name: String, first: SourceLocation?) -> String {
        var text = "duplicate \(kind) '\(name)'"
        if let first { text += "; first declared at \(first)" }
        return text
    }

    static func numberReused(_ key: String, by owner: String, at first: SourceLocation)
        -> String
    {
        "number '\(numberText(key))' is also used by subscriber '\(owner)' at \(first)"
    }

    static func numberRepeated(_ key: String, first: SourceLocation) -> String {
        "number '\(numberText(key))' is listed twice for this subscriber; first at \(first)"
    }

    static let subscriberTerminated =
        "a subscriber cannot be declared 'terminated': NGCP deletes a terminated subscriber, "
        + "so every later apply would create it again"
    static let subscriberTerminatedHint =
        "to remove the subscriber, delete its document and run apply with --prune"

    static func nameMappedPreference(_ name: String) -> String {
        "preference '\(name)' names an object on the target, which is not checked before apply"
    }
    static let nameMappedPreferenceHint =
        "make sure the named object exists on the target: NGCP rejects an unknown name, and "
        + "apply stops at this subscriber"

    static func unknownTimeZone(_ name: String) -> String {
        "unknown time zone '\(name)'"
    }
    static let unknownTimeZoneHint =
        "use a name from the tz database, such as Europe/Vienna or UTC"

    static func webusernameReused(_ name: String, by owner: String, at first: SourceLocation)
        -> String
    {
        "webusername '\(name)' is also used by '\(owner)' at \(first) in the same domain; "
            + "NGCP compares web usernames without regard to case"
    }
    static let webusernameReusedHint = "give each subscriber of a domain its own webusername"

    static func numberSameDigits(
        _ key: String, other otherKey: String, owner: String, at first: SourceLocation
    ) -> String {
        "number \(numberText(key)) has the same digits as \(numberText(otherKey)) of "
            + "'\(owner)' at \(first), split differently into cc, ac and sn"
    }
    static let numberSameDigitsHint =
        "a number is dialled by its digits alone; keep it on one subscriber, with one split"

    /// Formats a number key, `cc-ac-sn`, as `telephoneNumberText` does: without an empty area
    /// code.
    private static func numberText(_ key: String) -> String {
        let parts = key.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return key }
        return telephoneNumberText(cc: String(parts[0]), ac: String(parts[1]), sn: String(parts[2]))
    }

    static func ignoredWhileCustomerLocked(_ field: String, customer: String) -> String {
        "\(field) is not applied while customer '\(customer)' is declared locked: NGCP "
            + "locks every subscriber of a locked customer with status locked and lock 4"
    }
    static let ignoredWhileCustomerLockedHint =
        "the value takes effect once the customer is active again; remove it to silence this"

    static func yamlVersionNotSupported(_ version: String) -> String {
        "YAML \(version) is not supported: manifests are read as YAML 1.2"
    }
    static let yamlVersionNotSupportedHint =
        "remove the %YAML directive; under YAML 1.2, yes, no, on and off are strings"

    static func customerTerminated(_ customer: String, at location: SourceLocation?) -> String {
        var text = "customer '\(customer)' is declared with status 'terminated'"
        if let location { text += " at \(location)" }
        return text + "; NGCP rejects subscribers under a terminated customer"
    }

    static func undeclaredCustomer(_ customer: String) -> String {
        "customer '\(customer)' is not declared in these manifests; it must already exist on"
            + " the target"
    }

    static func undeclaredDomain(_ domain: String) -> String {
        "domain '\(domain)' is not declared in these manifests; it must already exist on the"
            + " target"
    }

    /// Returns the end of a warning given once for several subscribers.
    static func namedBySubscribers(_ count: Int) -> String {
        " (named by \(count) subscribers; this is the first)"
    }

    static func primaryNumberRequired(_ customer: String) -> String {
        "missing required field 'primary_number'; subscribers of sipaccount customer"
            + " '\(customer)' need one"
    }

    static func displayNameNotStored(_ customer: String) -> String {
        // One literal: a subscriber of a sipaccount customer with a display name gets this
        // warning, and concatenating would copy the message once more for each of them.
        "display_name is only stored for PBX customers, and customer '\(customer)' is a sipaccount"
    }

    static func pbxFieldOnSIPAccount(_ field: String, customer: String) -> String {
        "\(field) is only valid for pbxaccount customers, and customer '\(customer)' is a"
            + " sipaccount"
    }

    static func tooManySubscribers(_ customer: String, limit: Int, count: Int) -> String {
        let allowed = limit == 1 ? "1 subscriber" : "\(limit) subscribers"
        return "customer '\(customer)' allows at most \(allowed), but \(count)"
            + " \(count == 1 ? "is" : "are") declared for it"
    }

    static let displayNameHint = "set preferences.display_name instead"

    // MARK: - Secrets

    static func controlCharacter(_ character: Unicode.Scalar) -> String {
        "contains the control character \(codePoint(character)), which could change how"
            + " terminals and reports show it"
    }

    static func invisibleCharacter(_ character: Unicode.Scalar) -> String {
        let name = character.properties.name.map { " (\($0))" } ?? ""
        return "contains the invisible character \(codePoint(character))\(name), which makes the"
            + " text read differently from what it is"
    }

    /// Returns the Unicode notation of a code point, with at least four hex digits (U+001B).
    private static func codePoint(_ character: Unicode.Scalar) -> String {
        let hex = String(character.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    static func invalidEnvironmentPattern(_ pattern: String) -> String {
        "invalid environment name pattern '\(pattern)': use letters, digits, '_' and '*', "
            + "with at least one letter or digit"
    }

    /// `reason` starts with what cannot be read (`cannot read secret {env: P}: ...`), so the
    /// subscriber's name is put in front of it.
    static func secretUnreadable(_ subscriber: String, reason: String) -> String {
        "subscriber '\(subscriber)': \(reason)"
    }

    // MARK: - Helpers

    /// Describes a node for a message: its type, and its text for a scalar.
    static let profileWithoutSet =
        "profile_id needs profile_set_id; NGCP rejects a profile without its profile set"

    // MARK: - PBX subscribers

    static func secondPBXPilot(customer: String, pilot: String, at location: SourceLocation?)
        -> String
    {
        var text = "customer '\(customer)' already has PBX pilot '\(pilot)'"
        if let location { text += " at \(location)" }
        return text + "; NGCP allows one pilot per customer"
    }
    static let secondPBXPilotHint = "set is_pbx_pilot: true on one subscriber of the customer only"

    static func pilotPrimaryNumberRequired(_ customer: String) -> String {
        "missing required field 'primary_number'; the PBX pilot of pbxaccount customer"
            + " '\(customer)' needs one"
    }
    static let pilotPrimaryNumberRequiredHint =
        "add the pilot's primary_number, because NGCP rejects a pilot without one and gives every"
        + " other subscriber of the customer that number with its pbx_extension appended"

    static func pbxExtensionRequired(_ customer: String) -> String {
        "missing required field 'pbx_extension'; every subscriber of pbxaccount customer"
            + " '\(customer)' but its pilot needs one"
    }
    static let pbxExtensionRequiredHint =
        "add a pbx_extension that no other subscriber of the customer uses; only the pilot"
        + " (is_pbx_pilot: true) goes without one"

    static func pbxExtensionReused(
        _ pbxExtension: String, by owner: String, at first: SourceLocation?, customer: String
    ) -> String {
        var text = "pbx_extension '\(pbxExtension)' is also used by '\(owner)'"
        if let first { text += " at \(first)" }
        return text + " in customer '\(customer)'; NGCP allows each extension once per customer"
    }
    static let pbxExtensionReusedHint = "give each subscriber of the customer its own pbx_extension"

    // MARK: - PBX groups

    static let pbxGroupsWithGroupIDs =
        "pbx_group_ids and pbx_groups both set the subscriber's PBX groups, so only one may be set"
    static let pbxGroupsWithGroupIDsHint =
        "keep pbx_groups, which names the groups, and remove pbx_group_ids, whose server ids "
        + "differ between targets"

    static func pbxGroupNamesItself(_ name: String) -> String {
        "'\(name)' is the subscriber itself, which cannot be its own PBX group"
    }
    static let pbxGroupNamesItselfHint = "remove the name from pbx_groups"

    static func pbxGroupRepeated(_ name: String, first: SourceLocation) -> String {
        "PBX group '\(name)' is listed twice, the first time at \(first); names compare "
            + "without regard to case"
    }

    static func pbxGroupIDRepeated(_ id: Int, first: SourceLocation) -> String {
        "PBX group id \(id) is listed twice, the first time at \(first); NGCP keeps each "
            + "group once, so the list would differ from the target after every apply"
    }
    static let pbxGroupIDRepeatedHint = "list each PBX group id once"

    static func pbxGroupsOnGroup(_ field: String) -> String {
        "\(field) is not valid on a PBX group, because NGCP makes no group a member of another "
            + "group and the list would differ from the target after every apply"
    }

    static func pbxGroupsOnPilot(_ field: String) -> String {
        "\(field) is not valid on a PBX pilot, because NGCP keeps no group memberships for the "
            + "pilot and the list would differ from the target after every apply"
    }

    static func pbxGroupsOnGroupOrPilotHint(_ field: String) -> String {
        "remove \(field), or make it empty"
    }

    static func pbxGroupNotGroup(_ name: String, at location: SourceLocation?) -> String {
        var text = "subscriber '\(name)'"
        if let location { text += " at \(location)" }
        return text + " is not declared with is_pbx_group: true, so it cannot be a PBX group"
    }
    static let pbxGroupNotGroupHint =
        "set is_pbx_group: true on that subscriber, or remove it from pbx_groups"

    static func pbxGroupOfOtherCustomer(
        _ name: String, at location: SourceLocation?, customer: String, memberCustomer: String
    ) -> String {
        var text = "PBX group '\(name)'"
        if let location { text += " at \(location)" }
        return text + " belongs to customer '\(customer)', not to '\(memberCustomer)'"
    }
    static let pbxGroupOfOtherCustomerHint =
        "a subscriber can only be a member of the PBX groups of its own customer"

    // MARK: - Targets and ngcpctl.yaml

    static let projectSingleDocument =
        "ngcpctl.yaml must contain one YAML document; remove this second document"

    static let noTargets = "no targets are defined; add at least one under 'targets'"

    static func invalidTargetName(_ name: String) -> String {
        "target name '\(name)' is not valid; use 1 to 63 letters, digits, '-', '_' or '.', "
            + "not starting with '.', without '..' and not ending with '.lock'"
    }

    static func invalidTargetURL(_ url: String, problem: String) -> String {
        "invalid URL '\(url)': \(problem)"
    }

    static func unreadableCAFile(_ path: String, target: String, reason: String) -> String {
        "cannot read the CA file '\(path)' of target '\(target)': \(reason)"
    }
    static let unreadableCAFileHint =
        "put the CA bundle (PEM) that signed the server's certificate there, or correct ca_file,"
        + " which is relative to the directory of ngcpctl.yaml; without ca_file the system's CA"
        + " certificates verify the server"

    static func unknownTarget(_ name: String, suggestion: String?) -> String {
        guard let suggestion else { return "unknown target '\(name)'" }
        return "unknown target '\(name)'; did you mean '\(suggestion)'?"
    }

    static let emptyProtectedPattern = "the pattern is empty, so it protects nothing"

    static func protectedNameLikeCollection(_ pattern: String) -> String {
        "'\(pattern)' has no '/', so it protects objects named '\(pattern)', not the collection"
    }

    static func unknownProtectedCollection(
        _ pattern: String, _ collection: String, _ suggestion: String?
    ) -> String {
        var text = "pattern '\(pattern)' protects nothing: '\(collection)' is no collection"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }

    static func invalidProtectedName(_ pattern: String) -> String {
        "pattern '\(pattern)' protects nothing: write collection/name, such as customers/acme"
    }

    static let emptyIgnoreRule = "the ignore rule is empty, so it hides nothing"

    static let ignoreRuleSyntax =
        "write [collection/name:]path, such as subscribers/*:preferences.cli"

    static func ignoreRuleWithoutPath(_ rule: String) -> String {
        "ignore rule '\(rule)' hides nothing: it names no field path"
    }

    static func unknownIgnoreCollection(_ rule: String, _ collection: String, _ suggestion: String?)
        -> String
    {
        var text = "ignore rule '\(rule)' hides nothing: '\(collection)' is no collection"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }

    static func unknownIgnoreField(
        _ rule: String, _ path: String, _ collection: ResourceKind?, _ suggestion: String?
    ) -> String {
        let owner = collection.map { "of \($0.rawValue)" } ?? "of any collection"
        var text = "ignore rule '\(rule)' hides nothing: '\(path)' matches no field \(owner)"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }

    /// Returns the warning for a one-segment path, on preferences or on every collection,
    /// that matches no built-in preference and no field.
    static func unknownIgnorePreference(
        _ rule: String, _ name: String, onEveryCollection: Bool, _ suggestion: String?
    ) -> String {
        let field = onEveryCollection ? " no field of any collection and" : ""
        var text =
            "ignore rule '\(rule)' may hide nothing: '\(name)' matches\(field) no preference"
            + " of the built-in catalogue"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }

    static func ignoreRuleOnDomains(_ rule: String) -> String {
        "ignore rule '\(rule)' hides nothing: plans never update a domain"
    }

    static let emptyProjectFile =
        "ngcpctl.yaml is empty; define at least one target under 'targets', or delete the file"

    static func knownTargets(_ names: [String]) -> String {
        names.isEmpty
            ? "ngcpctl.yaml defines no targets"
            : "known targets: " + names.joined(separator: ", ")
    }

    static func targetRequired(_ names: [String]) -> String {
        "ngcpctl.yaml defines several targets and no default_target; pass --target NAME ("
            + names.joined(separator: ", ") + ")"
    }

    static let documentTargetsWithoutProject =
        "no ngcpctl.yaml defines targets, so the document is loaded for any server"
    static let documentTargetsWithoutProjectHint =
        "define the targets in an ngcpctl.yaml at the manifests' root"

    static let noDocumentTargets = "the list names no target, so no target would get the document"
    static let noDocumentTargetsHint =
        "name the targets the document is for, or remove metadata.targets to keep it for all"

    static func repeatedDocumentTarget(_ name: String) -> String {
        "target '\(name)' is listed twice"
    }

    static func unknownDocumentTarget(_ name: String, suggestion: String?) -> String {
        guard let suggestion else {
            return "target '\(name)' is not defined in ngcpctl.yaml"
        }
        return "target '\(name)' is not defined in ngcpctl.yaml; did you mean '\(suggestion)'?"
    }

    // MARK: - Plan time

    static func customerNotFound(_ customer: String, target: String) -> String {
        "customer '\(customer)' is neither declared in these manifests nor present on \(target)"
    }

    static let customerNotFoundHint =
        "declare the customer in a Customer document, or correct spec.customer"

    static func preferenceUnknownOffline(_ name: String) -> String {
        "preference '\(name)' is not in the built-in catalogue; the target's catalogue decides"
            + " at plan time"
    }

    static func leadingZeroInteger(_ text: String, value: Int) -> String {
        "'\(text)' has a leading zero and is read as the decimal \(value) (YAML 1.1 read such"
            + " numbers as octal)"
    }

    static let leadingZeroIntegerHint = "write the number without leading zeros"

    static func describe(_ node: YAMLNode) -> String {
        guard let scalar = node.scalar else { return "a \(node.typeName)" }
        if scalar.value == .null { return "null" }
        return "\(node.typeName) '\(scalar.text)'"
    }
}

/// Finds the candidate closest to `name` by edit distance, if it is close enough to be a likely
/// typo. Close enough means at most a third of the longer name and fewer edits than `name` has
/// characters. Without such a candidate, a name of three or more characters that starts
/// exactly one candidate is taken as an abbreviation of it (`prio` for `priority`).
func nearestName(to name: String, in candidates: [String]) -> String? {
    var best: (name: String, distance: Int)?
    let length = name.count
    for candidate in candidates {
        // The distance is at least the difference in length, so far-off candidates (and huge
        // keys from hostile input) are skipped without the quadratic comparison.
        let candidateLength = candidate.count
        if abs(length - candidateLength) > max(1, max(length, candidateLength) / 3) { continue }
        let distance = editDistance(name.lowercased(), candidate.lowercased())
        // Between equally near names, one of the same length wins: `clri` is more likely a
        // swap in `clir` than `cli` with an extra letter.
        let sameLength = candidateLength == length
        if let current = best,
            distance > current.distance
                || (distance == current.distance && (!sameLength || current.name.count == length))
        {
            continue
        }
        best = (candidate, distance)
    }
    if let best {
        let limit = max(1, max(name.count, best.name.count) / 3)
        if best.distance <= limit && best.distance < name.count { return best.name }
    }

    guard length >= 3 else { return nil }
    let lowered = name.lowercased()
    let extended = candidates.filter { $0.count > length && $0.lowercased().hasPrefix(lowered) }
    return extended.count == 1 ? extended[0] : nil
}

/// Computes the edit distance between two strings, counted in characters: insertions,
/// deletions, substitutions and swaps of two adjacent characters (optimal string alignment),
/// so that `emial` is one edit from `email`.
func editDistance(_ lhs: String, _ rhs: String) -> Int {
    let a = Array(lhs)
    let b = Array(rhs)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }

    var beforePrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                current[j] = min(current[j], beforePrevious[j - 2] + 1)
            }
        }
        (beforePrevious, previous, current) = (previous, current, beforePrevious)
    }
    return previous[b.count]
}
