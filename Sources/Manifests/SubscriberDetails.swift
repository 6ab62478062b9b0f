import NGCPCore
import YAMLReader

/// The source positions of one declared subscriber that the cross-document checks report at,
/// and its metadata.
///
/// The collector keeps one for each of tens of thousands of subscribers until the checks end,
/// when the load peaks in memory. So positions are kept as line and column in the
/// subscriber's file, and the metadata in parts, and both are put together only when read.
/// Details take 160 bytes this way (`MemoryLayout.size`, Swift 6.3.1, x86-64). Each position
/// as a `SourceLocation` would take 24 bytes more, and a subscriber without alias numbers
/// needs no array of numbers.
struct SubscriberDetails {
    /// A line and column in `file`. Line 0 stands for a field that is not written.
    struct Mark {
        let line: Int32
        let column: Int32

        static let absent = Mark(line: 0, column: 0)

        init(line: Int32, column: Int32) {
            self.line = line
            self.column = column
        }

        init(_ location: SourceLocation?) {
            guard let location else {
                self = .absent
                return
            }
            line = Int32(clamping: location.line)
            column = Int32(clamping: location.column)
        }
    }

    /// An alias number as `cc-ac-sn`, with its position in `alias_numbers`.
    struct AliasNumber {
        let key: String
        let mark: Mark
        let index: Int32
    }

    /// The subscriber's `metadata.name`, which is `username@domain`, for its resource id.
    let name: String
    /// The manifest file, which every position of the subscriber is in.
    let file: String
    /// The primary number as `cc-ac-sn`, or nil when there is none or it is null.
    let primaryNumberKey: String?
    let aliasNumbers: [AliasNumber]
    /// Positions of `lock` and `status`, which a locked customer overrides, by field name.
    let lockFieldLocations: [String: SourceLocation]
    /// Whether `primary_number` is written and not null, valid or not.
    let hasPrimaryNumber: Bool
    /// Positions of the secret preferences, which few subscribers have (see
    /// `SecretFieldLocations.preferences`).
    let secretPreferenceLocations: [String: SourceLocation]
    let annotations: [String: String]
    let targets: [String]?
    private let specMark: Mark
    private let customerMark: Mark
    private let primaryNumberMark: Mark
    private let displayNameMark: Mark
    private let webusernameMark: Mark
    private let metadataMark: Mark
    private let passwordMark: Mark
    private let webpasswordMark: Mark

    init(
        name: String, file: String, specLocation: SourceLocation,
        customerLocation: SourceLocation,
        primaryNumber: (key: String, location: SourceLocation)?, aliasNumbers: [AliasNumber],
        hasPrimaryNumber: Bool, displayNameLocation: SourceLocation?,
        webusernameLocation: SourceLocation?,
        lockFieldLocations: [String: SourceLocation], metadata: ManifestMetadata
    ) {
        self.name = name
        self.file = file
        primaryNumberKey = primaryNumber?.key
        self.aliasNumbers = aliasNumbers
        self.lockFieldLocations = lockFieldLocations
        self.hasPrimaryNumber = hasPrimaryNumber
        secretPreferenceLocations = metadata.secretLocations.preferences
        annotations = metadata.annotations
        targets = metadata.targets
        specMark = Mark(specLocation)
        customerMark = Mark(customerLocation)
        primaryNumberMark = Mark(primaryNumber?.location)
        displayNameMark = Mark(displayNameLocation)
        webusernameMark = Mark(webusernameLocation)
        metadataMark = Mark(metadata.location)
        passwordMark = Mark(metadata.secretLocations.password)
        webpasswordMark = Mark(metadata.secretLocations.webpassword)
    }

    private func location(_ mark: Mark) -> SourceLocation? {
        guard mark.line != 0 else { return nil }
        return SourceLocation(file: file, line: Int(mark.line), column: Int(mark.column))
    }

    /// The position of the `spec` mapping, where a field that the checks across documents
    /// require is reported missing, as the checks of one document report theirs.
    var specLocation: SourceLocation {
        SourceLocation(file: file, line: Int(specMark.line), column: Int(specMark.column))
    }

    var customerLocation: SourceLocation {
        SourceLocation(file: file, line: Int(customerMark.line), column: Int(customerMark.column))
    }

    var displayNameLocation: SourceLocation? { location(displayNameMark) }
    var webusernameLocation: SourceLocation? { location(webusernameMark) }

    /// The document's metadata, with the positions of the secret fields.
    var metadata: ManifestMetadata {
        var metadata = ManifestMetadata(
            annotations: annotations, targets: targets, location: location(metadataMark))
        metadata.secretLocations = secretLocations
        return metadata
    }

    var secretLocations: SecretFieldLocations {
        var locations = SecretFieldLocations(
            password: location(passwordMark), webpassword: location(webpasswordMark))
        locations.preferences = secretPreferenceLocations
        return locations
    }

    /// The number of numbers, the primary one first.
    var numberCount: Int { (primaryNumberKey == nil ? 0 : 1) + aliasNumbers.count }

    /// Returns the key, `cc-ac-sn`, of the number at `index`.
    func numberKey(at index: Int) -> String {
        if let primaryNumberKey {
            return index == 0 ? primaryNumberKey : aliasNumbers[index - 1].key
        }
        return aliasNumbers[index].key
    }

    /// Returns the number at `index` with where it is written and its field path.
    func number(at index: Int) -> (key: String, location: SourceLocation, path: String) {
        if let primaryNumberKey, index == 0 {
            return (primaryNumberKey, location(primaryNumberMark)!, "spec.primary_number")
        }
        let alias = aliasNumbers[primaryNumberKey == nil ? index : index - 1]
        return (
            alias.key, location(alias.mark)!,
            Manifests.index("spec.alias_numbers", Int(alias.index))
        )
    }
}
