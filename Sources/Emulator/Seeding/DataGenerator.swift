import NGCPCore

/// Bulk test data: customers with subscribers spread evenly over them, written in one
/// transaction. Runs are deterministic (fixed seed), so two runs give the same data.
enum DataGenerator {
    static func generate(_ settings: GenerationSettings, into store: Store) throws {
        guard settings.customers > 0 || settings.subscribers == 0 else {
            throw EmulatorError("cannot generate subscribers without customers: set customers=N")
        }
        try? store.write { (state: inout State) throws(APIError) in
            var random = SeededGenerator(seed: 42)
            let now = Clock.databaseTimestamp()
            let subscriberTime = Clock.rfc3339Timestamp()
            let domainID = state.domains.allocateID()
            state.domains.put(
                Domain(id: domainID, domain: "gen\(domainID).example.org", resellerID: 1))

            var customerIDs: [Int] = []
            customerIDs.reserveCapacity(settings.customers)
            for index in 0..<settings.customers {
                let contactID = state.contacts.allocateID()
                state.contacts.put(
                    Contact(
                        id: contactID, resellerID: 1,
                        fields: ["email": "gen-customer-\(index)@example.invalid"],
                        status: "active"))
                let customer = Customer(
                    id: state.customers.allocateID(), contactID: contactID, billingProfileID: 1,
                    billingMappings: [
                        BillingMapping(
                            profileID: 1, start: nil, effectiveStart: "1970-01-01 00:00:00")
                    ],
                    status: "active", type: "sipaccount", externalID: "gen-customer-\(index)",
                    maxSubscribers: nil, vatRate: StoredJSON(0), addVat: false, templateIDs: [:],
                    profilePackageID: nil, createTimestamp: now, modifyTimestamp: now,
                    activateTimestamp: nil, terminateTimestamp: nil)
                state.customers.put(customer)
                customerIDs.append(customer.id)
            }

            for index in 0..<settings.subscribers {
                let id = state.subscribers.allocateID()
                // Derived from the row id, so a second run on the same database cannot clash.
                let numberID = state.numbers.allocateID()
                let number = PhoneNumber(
                    id: numberID, cc: 43, ac: "1", sn: String(1_000_000_000 + numberID),
                    subscriberID: id, isDevID: false)
                state.putNumber(number)
                var preferences: [String: JSONValue] = [
                    "cc": "43", "ac": "1", "allowed_clis": [.string(number.e164)],
                    "call_log_level": "notice", "emergency_location_format": "cirpack",
                ]
                let featured = Double.random(in: 0..<1, using: &random) < settings.featuredShare
                if featured {
                    preferences["concurrent_max"] = .int(Int.random(in: 1...10, using: &random))
                    preferences["block_in_mode"] = false
                }
                let username = "gen\(id)"
                let subscriber = Subscriber(
                    id: id, provisioningID: state.nextCounter("provisioning_subscriber"),
                    customerID: customerIDs[index % customerIDs.count], domainID: domainID,
                    username: username, password: "gen-pass-\(id)", webusername: username,
                    hasWebpassword: false, status: "active", externalID: nil, email: nil,
                    timezone: nil, contactID: nil, administrative: false,
                    primaryNumberID: number.id,
                    aliasNumberIDs: [], profileID: nil, profileSetID: nil,
                    uuid: UUIDText.make(using: &random), createTimestamp: subscriberTime,
                    modifyTimestamp: subscriberTime, preferences: StoredJSON(.object(preferences)))
                state.putSubscriber(subscriber)
                if featured {
                    let set = DestinationSet(
                        id: state.destinationSets.allocateID(), subscriberID: id,
                        name: "quickset_cfu",
                        destinations: [
                            Destination(
                                destination: "sip:vmu\(number.e164)@voicebox.local", priority: 1,
                                timeout: 300, announcementID: nil)
                        ])
                    state.destinationSets.put(set)
                    state.mappings.put(
                        CFMapping(
                            id: state.mappings.allocateID(), subscriberID: id, type: "cfu",
                            destinationSetID: set.id, timeSetID: nil, sourceSetID: nil,
                            bnumberSetID: nil, enabled: true, useRedirection: false))
                }
            }
        }
    }
}
