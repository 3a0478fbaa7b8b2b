import SeatlineCore

/// One line of the customer list.
public struct CustomerRow: Equatable, Identifiable {
    public let id: Int64
    public let title: String
    public let subtitle: String
    public let badges: [Bilingual]
}

/// R15: one of the five kinds on the card, with its values and an "add" action.
public struct ContactSection: Equatable, Identifiable {
    public let kind: ContactKind
    public let label: Bilingual
    public let values: [String]
    public var id: String { label.en }
}

public enum CustomerTexts {
    /// Name first; a customer added with the number only (R15) shows the number.
    public static func row(_ c: Customer, me: Int64?) -> CustomerRow {
        let name = c.name.flatMap { $0.trimmed.isEmpty ? nil : $0 }
        let company = c.company.flatMap { $0.trimmed.isEmpty ? nil : $0 }
        let subtitle = [company, name == nil ? nil : c.mobile].compactMap { $0 }
        var badges: [Bilingual] = []
        if c.ownerAgentId == nil || c.ownerAgentId == me { badges.append(owner(c, me: me)) }
        if c.pendingSync { badges.append(Labels.notSynced) }
        return CustomerRow(id: c.id, title: name ?? c.mobile, subtitle: subtitle.joined(separator: " · "), badges: badges)
    }

    /// R40 and R15: mine, the public pool 公海, or a colleague's (shown without a name).
    public static func owner(_ c: Customer, me: Int64?) -> Bilingual {
        guard let owner = c.ownerAgentId else { return Labels.publicPool }
        return owner == me ? Labels.ownedByMe : Bilingual("其他坐席", "Another agent")
    }

    /// R15: always the five kinds, in the core's order, each with what the card has.
    public static func sections(_ c: Customer) -> [ContactSection] {
        Labels.contactKinds.map { kind in
            ContactSection(
                kind: kind,
                label: Labels.contactKind(kind),
                values: c.contacts.filter { $0.kind == kind }.map(\.value)
            )
        }
    }

    /// Pull-to-refresh result.
    public static func sync(_ r: SyncReport) -> Bilingual {
        let head: Bilingual
        if r.interrupted != nil {
            head = Bilingual("同步未完成，稍后重试", "Sync interrupted; it will retry")
        } else if r.conflicts > 0 || r.rejected > 0 {
            head = Bilingual(
                "已同步，\(r.conflicts) 条冲突、\(r.rejected) 条被拒",
                "Synced with \(r.conflicts) conflicts and \(r.rejected) refused"
            )
        } else {
            head = Bilingual("已同步：上传 \(r.pushed) 条，更新 \(r.pulled) 条", "Synced: \(r.pushed) sent, \(r.pulled) received")
        }
        guard r.pending > 0 else { return head }
        return Bilingual(head.zh + "，\(r.pending) 条待上传", head.en + ", \(r.pending) waiting")
    }
}
