import SeatlineKit
import SwiftUI

/// The customer library: search, "my customers" (R40), add (R15), pull to sync.
struct LibraryScreen: View {
    private struct SearchKey: Equatable {
        let query: String
        let mineOnly: Bool
    }

    @EnvironmentObject private var app: AppModel
    @ObservedObject var model: LibraryModel
    @Binding var path: [Int64]
    @State private var adding = false

    var body: some View {
        List {
            Toggle(isOn: $model.mineOnly) { BilingualText(Labels.mineOnly) }
            if let note = model.note {
                BilingualText(note).font(.footnote).onTapGesture { model.dismissNote() }
            }
            if model.rows.isEmpty {
                BilingualText(Labels.noCustomers).foregroundColor(.secondary)
            }
            ForEach(model.rows) { row in
                NavigationLink(value: row.id) {
                    CustomerLine(row: row)
                }
            }
        }
        .searchable(text: $model.query, prompt: Labels.searchHint.line)
        .refreshable { await model.refresh() }
        // A new query cancels the running one (SwiftUI restarts the task on a new id).
        .task(id: SearchKey(query: model.query, mineOnly: model.mineOnly)) { await model.reload() }
        .navigationTitle(Labels.customersTab.zh)
        .toolbar {
            Button(Labels.addCustomer.line) { adding = true }
        }
        .sheet(isPresented: $adding) {
            AddCustomerScreen(app: app, prefill: "", onSaved: { path.append($0) }, onOpenExisting: { path.append($0) })
        }
    }
}

private struct CustomerLine: View {
    let row: CustomerRow

    var body: some View {
        HStack {
            VStack(alignment: .leading) {
                Text(row.title)
                if !row.subtitle.isEmpty {
                    Text(row.subtitle).font(.caption).foregroundColor(.secondary)
                }
            }
            Spacer()
            VStack(alignment: .trailing) {
                ForEach(row.badges, id: \.self) { Text($0.zh).font(.caption2) }
            }
        }
    }
}
