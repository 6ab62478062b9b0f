import Apply
import NGCPCore

/// Contacts that an interrupted apply created and that the current plan leaves on the target.
///
/// Only the journal links such a contact to its customer's name, because the customer that
/// would use it was never created. So the journal is kept, instead of being deleted, while
/// the plan lists one of them as not pruned, and `apply --prune` can still find it.
struct JournalLeftovers {
    /// Journalled contacts, with their ids, that the plan leaves alone without `--prune`.
    let kept: [ResourceID]
    /// Journalled contact creates of unknown outcome that the plan does not create again.
    let unknown: [ResourceID]

    init(recovery: ApplyJournal.Recovery, plan: Plan) {
        let named = Set(recovery.createdContacts.values)
        kept = plan.notPruned.filter { $0.kind == .customercontacts && named.contains($0.name) }

        let created = Set(
            plan.operations.filter { $0.action == .create }.map(\.resourceID))
        unknown = recovery.creates.compactMap { resource, id in
            resource.kind == .customercontacts && id == nil && !created.contains(resource)
                ? resource : nil
        }.sorted()
    }

    var keepsJournal: Bool { !kept.isEmpty }

    /// Returns the lines for standard error about the leftovers, or "" when there are none.
    func report(journal: String) -> String {
        var text = ""
        for resource in kept {
            text +=
                "The journal \(journal) is kept, because it is the only record that links "
                + "\(resource) to customer '\(resource.name)'. An interrupted apply created the "
                + "contact for that customer, which no manifest declares now. Apply with --prune "
                + "to delete the contact, or declare the customer again to use it.\n"
        }
        for resource in unknown {
            text +=
                "warning: an interrupted apply started creating \(resource) and its outcome is "
                + "unknown. No manifest declares that customer now, so ngcpctl does not look "
                + "for the contact again. Check the target for an unused contact of customer "
                + "'\(resource.name)' and delete it.\n"
        }
        return text
    }

    /// Returns the contacts recorded in the journal that `apply` would read, at `option` or
    /// else at the default place. An unreadable journal counts as none, because `apply`
    /// reports it when it reads the file.
    static func interruptedContacts(
        option: String?, manifestPaths: [String], target: String
    ) -> [Int: String] {
        let path = JournalLocation.path(
            option: option, manifestPaths: manifestPaths, target: target)
        return (try? ApplyJournal.read(path: path))?.createdContacts ?? [:]
    }
}
