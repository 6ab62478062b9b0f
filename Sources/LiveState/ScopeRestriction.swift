import NGCPCore

extension LiveStateScope {
    /// The part of `desired` that a read with this scope covers, so that the plan neither
    /// creates what lies outside the scope nor removes it. `live` is the scoped read.
    ///
    /// Keeps the customers that `customerExternalIDs` match and, with a reseller, those whose
    /// billing profile belongs to it. Subscribers follow their customer. A customer scope keeps
    /// every domain. A reseller scope keeps that reseller's domains, and a domain without a
    /// reseller belongs to the reseller with id 1.
    ///
    /// NOTE: numbers held by subscribers outside the scope are not read, so a plan that moves
    /// such a number to a subscriber in scope fails at apply time instead of at plan time.
    public func restrict(_ desired: DesiredState, live: LiveState) -> DesiredState {
        let scope = self
        var result = desired
        if scope.limitsCustomers {
            result.customers = result.customers.filter { customer in
                scope.customerExternalIDs.contains { Self.matches($0, customer.externalID) }
            }
            result.subscribers = result.subscribers.filter { subscriber in
                scope.customerExternalIDs.contains { Self.matches($0, subscriber.customer) }
            }
        }
        guard scope.resellerName != nil else { return result }

        // The live resellers, billing profiles and domains were read for this reseller only.
        let profiles = Set(live.billingProfiles.compactMap { $0["handle"]?.stringValue })
        result.customers = result.customers.filter { profiles.contains($0.billingProfile) }
        let customers = Set(result.customers.map(\.externalID))
        result.subscribers = result.subscribers.filter { customers.contains($0.customer) }
        let resellerNames = Set(live.resellers.compactMap { $0["name"]?.stringValue })
        let firstResellerInScope = live.resellers.contains { $0.id == 1 }
        result.domains = result.domains.filter { domain in
            guard let reseller = domain.reseller else { return firstResellerInScope }
            return resellerNames.contains(reseller)
        }
        return result
    }

    /// Shell-style matching with `*` as the only wildcard, as NGCP's filters use it.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let pattern = Array(pattern.unicodeScalars)
        let text = Array(text.unicodeScalars)
        var p = 0
        var t = 0
        var star: Int? = nil
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] != "*", pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
