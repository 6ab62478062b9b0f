import Foundation

/// Lists and lookups that NGCP validates field values against, checked at load time so that an
/// invalid value fails before apply writes anything.
enum ReferenceData {
    /// The 249 officially assigned ISO 3166-1 alpha-2 country codes (as of 2024), upper case.
    /// NOTE: codes assigned later are rejected until this list is updated.
    static let countryCodes: Set<String> = Set(
        """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
        BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
        DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
        GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
        KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
        MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
        PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
        SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
        VN VU WF WS YE YT ZA ZM ZW
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    /// The directory of the tz database on this machine.
    static let zoneInfoDirectory = "/usr/share/zoneinfo"

    /// Returns whether `name` is a zone of the tz database, or nil when this machine has no tz
    /// database to check against.
    static func isKnownTimeZone(_ name: String, zoneInfo: String = zoneInfoDirectory) -> Bool? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: zoneInfo, isDirectory: &isDirectory),
            isDirectory.boolValue
        else { return nil }

        // A zone name is a relative path of letters, digits and `_ + -`; this also keeps `..`
        // and absolute paths from naming files outside the database.
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        let validComponents = components.allSatisfy { component in
            !component.isEmpty && component.first != "."
                && component.allSatisfy {
                    $0.isASCII && ($0.isLetter || $0.isNumber || "_+-".contains($0))
                }
        }
        guard validComponents else { return false }

        let path = zoneInfo + "/" + name
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
            !isDirectory.boolValue
        else { return false }
        return true
    }
}
