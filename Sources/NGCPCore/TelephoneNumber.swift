/// Formats a telephone number for messages and plans: its parts joined by `-`, such as
/// `43-1-5550100`. An empty area code, which NGCP stores for a number without one, is left
/// out, as in `43-5550100`.
public func telephoneNumberText(cc: String, ac: String, sn: String) -> String {
    ac.isEmpty ? "\(cc)-\(sn)" : "\(cc)-\(ac)-\(sn)"
}
