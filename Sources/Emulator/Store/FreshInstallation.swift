import NGCPCore

/// What a freshly installed NGCP database contains.
enum FreshInstallation {
    static func populate(_ state: inout State) {
        // Contract 1 belongs to the default reseller, so the first customer gets id 2.
        state.resellers.put(Reseller(id: 1, contractID: 1, name: "default", status: "active"))
        state.customers.nextID = 2
        state.billingProfiles.put(
            BillingProfile(
                id: 1, resellerID: 1, handle: "default", name: "Default Billing Profile",
                status: "active", extra: StoredJSON([:])))
        state.contacts.put(
            Contact(
                id: 1, resellerID: 1, fields: ["email": "default-customer@default.invalid"],
                status: "active"))
        state.contacts.put(
            Contact(
                id: 2, resellerID: nil, fields: ["email": "default-reseller@default.invalid"],
                status: "active"))
    }
}
