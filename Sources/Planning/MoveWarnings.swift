import NGCPCore

/// A live subscriber that the plan deletes and creates again under another customer.
struct CustomerMove {
    var subscriber: ResourceID
    /// The live customer the subscriber belongs to.
    var fromCustomerID: Int
    /// The declared customer it moves to.
    var toCustomer: String
    /// Whether the plan creates that customer.
    var toCreated: Bool
}

extension PlanBuilder {
    /// Warns about subscribers that move to a customer the plan creates, or away from one that
    /// no manifest declares any more, one warning per pair of customers. Either looks like a
    /// renamed customer, whose subscribers would otherwise silently lose what NGCP keeps only
    /// with the subscriber itself.
    func moveWarnings() -> [PlanWarning] {
        let declared = Set(desired.customers.map(\.externalID))
        var groups: [String: [CustomerMove]] = [:]
        var order: [String] = []
        for move in customerMoves {
            let key = "\(move.fromCustomerID)\u{0}\(move.toCustomer)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(move)
        }
        var warnings: [PlanWarning] = []
        for key in order {
            guard let moves = groups[key], let first = moves.first else { continue }
            let fromName = index.customersByID[first.fromCustomerID]?["external_id"]?.stringValue
            let fromDeclared = fromName.map(declared.contains) ?? false
            guard first.toCreated || !fromDeclared else { continue }
            warnings.append(
                moveWarning(
                    moves, from: fromName, fromDeclared: fromDeclared, live: first.fromCustomerID))
        }
        return warnings
    }

    private func moveWarning(
        _ moves: [CustomerMove], from fromName: String?, fromDeclared: Bool, live liveID: Int
    ) -> PlanWarning {
        let first = moves[0]
        let from = fromName.map { "customer '\($0)'" } ?? "customer id \(liveID)"
        let to = "customer '\(first.toCustomer)'"
        let names = moves.map(\.subscriber.name).sorted()
        let listedNames =
            names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", ..." : "")
        let count = moves.count == 1 ? "1 subscriber moves" : "\(moves.count) subscribers move"

        var message = "\(count) from \(from) to \(to)"
        message +=
            first.toCreated ? ", which this plan creates (\(listedNames))." : " (\(listedNames))."
        if !fromDeclared {
            message += " No manifest declares \(from) any more"
            message += first.toCreated ? ", so this looks like a rename." : "."
        }
        message += " NGCP cannot change a subscriber's customer, so each is deleted and created"
        message += " again. It then has a new id and has lost its voicemail, its registrations,"
        message += " and the call forwards and preferences that no manifest declares."
        if first.toCreated && !fromDeclared {
            message += " To rename the customer and keep its subscribers, set the live"
            message += " customer's external_id to '\(first.toCustomer)' before applying, so"
            message += " that the plan pairs it with the manifest."
        }

        var objects: [ResourceID] = []
        if let fromName { objects.append(ResourceID(.customers, fromName)) }
        objects.append(ResourceID(.customers, first.toCustomer))
        objects += moves.map(\.subscriber).sorted()
        return PlanWarning(
            kind: PlanWarning.subscribersRecreated, message: message, objects: objects)
    }
}
