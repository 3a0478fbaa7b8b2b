import SeatlineKit
import SwiftUI

/// R15: mobile number (required, unique, fixed once saved) and an optional name, in a
/// sheet. Saved, it closes and hands the new customer's id on; a taken number offers the
/// existing customer instead.
struct AddCustomerScreen: View {
    @StateObject private var model: AddCustomerModel
    @Environment(\.dismiss) private var dismiss
    private let onSaved: @MainActor (Int64) -> Void
    private let onOpenExisting: @MainActor (Int64) -> Void

    init(
        app: AppModel,
        prefill: String,
        onSaved: @escaping @MainActor (Int64) -> Void,
        onOpenExisting: @escaping @MainActor (Int64) -> Void
    ) {
        _model = StateObject(wrappedValue: app.addCustomer(prefill: prefill))
        self.onSaved = onSaved
        self.onOpenExisting = onOpenExisting
    }

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    TextField(Labels.mobile.line, text: $model.mobile).keyboardType(.phonePad)
                    TextField(Labels.nameOptional.line, text: $model.name)
                } footer: {
                    BilingualText(Labels.mobileFixed)
                }
                if let error = model.error {
                    Section {
                        BilingualText(error).foregroundColor(.red)
                        if let existing = model.existingId {
                            Button(Labels.openExisting.line) {
                                dismiss()
                                onOpenExisting(existing)
                            }
                        }
                    }
                }
            }
            .navigationTitle(Labels.addCustomer.zh)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button(Labels.cancel.line) { dismiss() }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button(Labels.save.line) { Task { await model.save() } }
                        .disabled(!model.canSave)
                }
            }
            .onChange(of: model.saved?.id) { id in
                guard let id else { return }
                dismiss()
                onSaved(id)
            }
        }
    }
}
