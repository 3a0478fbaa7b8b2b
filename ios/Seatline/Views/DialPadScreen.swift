import SeatlineKit
import SwiftUI
import UIKit

/// R14: keys, keyboard and paste all go through the core's dial pad, which keeps digits
/// only, stops at 20 and says when to shrink; Enter (a hardware keyboard's return) or the
/// call button dials.
struct DialPadScreen: View {
    private struct Prefill: Identifiable {
        let id = UUID()
        let number: String
    }

    @EnvironmentObject private var app: AppModel
    @ObservedObject var model: DialModel
    @State private var adding: Prefill?

    private let rows = ["123", "456", "789"]

    var body: some View {
        VStack(spacing: 12) {
            // The field shows what the core kept; each edit is replayed on the core.
            TextField(Labels.enterNumber.line, text: Binding(get: { model.state.text }, set: { model.edit($0) }))
                .keyboardType(.phonePad)
                .multilineTextAlignment(.center)
                .font(.system(size: 34 * model.state.textScale, weight: .medium, design: .monospaced))
                .onSubmit { Task { await model.call() } }
            ForEach(rows, id: \.self) { row in
                HStack(spacing: 12) {
                    ForEach(Array(row), id: \.self) { digit in
                        key(String(digit)) { model.press(digit) }
                    }
                }
            }
            HStack(spacing: 12) {
                key(Labels.paste.zh) {
                    if let text = UIPasteboard.general.string { model.paste(text) }
                }
                key("0") { model.press("0") }
                key("⌫") { model.backspace() }
            }
            Button {
                Task { await model.call() }
            } label: {
                Text(Labels.call.line).frame(maxWidth: .infinity)
            }
            .buttonStyle(.borderedProminent)
            // R15: while dialing, the number can go into the customer library.
            Button(Labels.addToLibrary.line) {
                adding = Prefill(number: model.state.text)
            }
            .disabled(model.state.text.isEmpty)
            Spacer()
        }
        .padding()
        .navigationTitle(Labels.dialTab.zh)
        .notice(model.state.refusal) { model.dismissRefusal() }
        .sheet(item: $adding) { prefill in
            AddCustomerScreen(app: app, prefill: prefill.number, onSaved: { _ in }, onOpenExisting: { _ in })
        }
    }

    private func key(_ label: String, action: @escaping () -> Void) -> some View {
        Button(action: action) {
            Text(label).font(.title2).frame(maxWidth: .infinity, minHeight: 48)
        }
        .buttonStyle(.bordered)
    }
}
