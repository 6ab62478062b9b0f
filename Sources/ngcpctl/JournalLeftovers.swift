import Apply
import NGCPCore

/// Contacts that an interrupted apply created and that the current plan leaves on the target.
///
/// Only the journal links such a contact to its customer's name, because the customer that
/// would use it was never created. So an apply that completes its plan keeps `leftover`
/// records of these contacts in the journal instead of deleting it. The next apply does not
/// resume from those records, but its plan lists the contacts as not pruned, and
/// `apply --prune` still finds and deletes them.
struct JournalLeftovers {
    /// Journalled contacts, by their server ids, that the plan leaves alone without `--prune`.
    let kept: [ResourceID: Int]
    /// Journalled contact creates of unknown outcome that the plan does not create again.
    let unknown: [ResourceID]

    init(recovery: ApplyJournal.Recovery, plan: Plan) {
        var kept: [ResourceID: Int] = [:]
        for resource in plan.notPruned where resource.kind == .customercontacts {
            if case .some(.some(let id)) = recovery.creates[resource] { kept[resource] = id }
        }
        self.kept = kept

        let created = Set(
            plan.operations.filter { $0.action == .create }.map(\.resourceID))
        unknown = recovery.creates.compactMap { resource, id in
            resource.kind == .customercontacts && id == nil && !created.contains(resource)
                ? resource : nil
        }.sorted()
    }

    /// Returns the lines for standard error about the leftovers, or "" when there are none.
    func report(journal: String) -> String {
        var text = ""
        for resource in kept.keys.sorted() {
            text +=
                "note: an interrupted apply created \(resource) for customer '\(resource.name)', "
                + "which no manifest declares now. The journal \(journal) keeps a record of "
                + "the contact, because it is the only link from the contact to that customer. "
                + "Apply with --prune to delete the contact, or declare the customer again to "
                + "use it.\n"
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

    /// Reports the leftovers once the plan has been applied in full, and leaves in the journal
    /// at `path` only the records of the `kept` contacts, or deletes it when there are none.
    /// `journal` is the file that this apply wrote to, if it executed any operation.
    func finish(
        journal: ApplyJournal?, path: String, recovery: ApplyJournal.Recovery
    ) {
        Terminal.error(report(journal: path))
        do {
            if let journal {
                try journal.replace(keeping: kept)
            } else if recovery.hasUnfinishedRun || recovery.leftovers != kept {
                // Otherwise the file already contains exactly these records, or is missing.
                try ApplyJournal.keepOnly(kept, path: path)
            }
        } catch {
            Terminal.error("warning: \(error)\n")
        }
    }

    /// Returns what the journal that `apply` would read records, at `option` or else at the
    /// default place. An unreadable journal counts as empty, because `apply` reports it when
    /// it reads the file.
    static func interruptedApply(
        option: String?, manifestPaths: [String], target: String
    ) -> ApplyJournal.Recovery {
        let path = JournalLocation.path(
            option: option, manifestPaths: manifestPaths, target: target)
        return (try? ApplyJournal.read(path: path)) ?? ApplyJournal.Recovery()
    }
}
