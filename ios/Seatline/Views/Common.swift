import SeatlineKit
import SwiftUI

/// The zh-CN text with its English beside it, smaller and quieter.
struct BilingualText: View {
    let text: Bilingual

    init(_ text: Bilingual) {
        self.text = text
    }

    var body: some View {
        if text.en.isEmpty || text.en == text.zh {
            Text(text.zh)
        } else {
            Text(text.zh) + Text("  " + text.en).font(.footnote).foregroundColor(.secondary)
        }
    }
}

extension View {
    /// A refusal or failure to acknowledge: shown until dismissed, so none goes unread.
    func notice(_ notice: Bilingual?, dismiss: @escaping () -> Void) -> some View {
        alert(
            notice?.zh ?? "",
            isPresented: Binding(get: { notice != nil }, set: { shown in if !shown { dismiss() } })
        ) {
            Button(Labels.ok.line, role: .cancel) { dismiss() }
        } message: {
            Text(notice?.en ?? "")
        }
    }
}
