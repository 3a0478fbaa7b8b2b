import SeatlineCore
import SeatlineKit
import SwiftUI

/// A customer card: the fixed mobile number, ownership (R40), five kinds of contact (R15).
struct CustomerCardScreen: View {
    @StateObject private var model: CustomerCardModel
    private let onDial: @MainActor (String) -> Void

    init(app: AppModel, id: Int64, onDial: @escaping @MainActor (String) -> Void) {
        _model = StateObject(wrappedValue: app.card(id))
        self.onDial = onDial
    }

    var body: some View {
        List {
            if let c = model.customer {
                Section {
                    field(Labels.mobile, c.mobile)
                    BilingualText(Labels.mobileFixed).font(.caption)
                    Button(Labels.callNumber.line) { onDial(c.mobile) }
                    if let company = c.company { field(Labels.company, company) }
                    if let title = c.title { field(Labels.title, title) }
                    if let owner = model.owner { field(Labels.owner, owner.line) }
                    if c.pendingSync { BilingualText(Labels.notSynced).foregroundColor(.orange) }
                    Button(model.isMine ? Labels.returnToPool.line : Labels.makeMine.line) {
                        Task { await model.setMine(!model.isMine) }
                    }
                    .disabled(model.saving)
                }
                Section(Labels.contactMethods.line) {
                    ForEach(model.sections) { section in
                        HStack {
                            BilingualText(section.label)
                            Spacer()
                            Button("+ \(Labels.add.line)") { model.startContact(section.kind) }
                                .buttonStyle(.borderless)
                        }
                        ForEach(section.values, id: \.self) { Text($0).padding(.leading) }
                    }
                }
            } else if model.loading {
                ProgressView()
            }
        }
        .navigationTitle(model.customer.map { $0.name ?? $0.mobile } ?? "")
        .task { await model.load() }
        // While the add-contact sheet is up it shows the notice itself.
        .notice(model.draft == nil ? model.notice : nil) { model.dismissNotice() }
        .sheet(isPresented: Binding(get: { model.draft != nil }, set: { shown in if !shown { model.cancelContact() } })) {
            ContactSheet(model: model)
        }
    }

    private func field(_ label: Bilingual, _ value: String) -> some View {
        VStack(alignment: .leading, spacing: 2) {
            BilingualText(label).font(.caption)
            Text(value)
        }
    }
}

/// R15 "add": one value of the chosen kind; the core checks it. The sheet stays until the
/// value is saved or the agent cancels.
private struct ContactSheet: View {
    @ObservedObject var model: CustomerCardModel

    var body: some View {
        let kind = model.draft.map { Labels.contactKind($0.kind) } ?? Labels.addContact
        NavigationStack {
            Form {
                TextField(kind.line, text: Binding(get: { model.draft?.value ?? "" }, set: { model.draft?.value = $0 }))
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                if let notice = model.notice {
                    BilingualText(notice).foregroundColor(.red)
                }
            }
            .navigationTitle("\(Labels.addContact.zh)：\(kind.zh)")
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button(Labels.cancel.line) {
                        model.cancelContact()
                        model.dismissNotice()
                    }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button(Labels.save.line) { Task { await model.saveContact() } }
                        .disabled(!(model.draft?.canSave ?? false) || model.saving)
                }
            }
        }
    }
}
