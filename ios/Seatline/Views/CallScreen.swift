import SeatlineCore
import SeatlineKit
import SwiftUI

/// R12: the calling method above the dial pad; VoIP is recommended and chosen first.
struct CallMethodChooser: View {
    @ObservedObject var model: CallModel

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Picker(CallLabels.method(model.state.method).zh, selection: Binding(
                get: { model.state.method },
                set: { model.choose($0) }
            )) {
                ForEach(model.state.methods, id: \.self) { m in
                    Text(CallLabels.method(m).zh).tag(m)
                }
            }
            .pickerStyle(.segmented)
            BilingualText(CallLabels.methodHint(model.state.method))
        }
        .padding(.horizontal)
    }
}

/// The dial pad with the method choice (R12), or the call panel while there is one.
struct DialOrCallScreen: View {
    @ObservedObject var call: CallModel
    let dial: DialModel

    var body: some View {
        Group {
            if call.state.panel != nil {
                CallScreen(model: call)
            } else {
                VStack(spacing: 0) {
                    CallMethodChooser(model: call)
                    DialPadScreen(model: dial)
                }
            }
        }
        .notice(call.state.refusal) { call.dismissRefusal() }
    }
}

/// The call panel (R13–R18): the core's phase text ("正在接通中" before the customer
/// answers), the number and the library's name or "加入客户库" (R15), the timer, hold,
/// mute, the DTMF keypad once connected, the quality from the core's MOS, and hang-up.
/// (Named CallScreen: `CallView` is the core's record of the call.)
struct CallScreen: View {
    private struct Prefill: Identifiable {
        let id = UUID()
        let number: String
    }

    @EnvironmentObject private var app: AppModel
    @ObservedObject var model: CallModel
    @State private var adding: Prefill?

    private let keys = ["123", "456", "789", "*0#"]
    private let timer = Timer.publish(every: 1, on: .main, in: .common).autoconnect()

    var body: some View {
        if let panel = model.state.panel {
            content(panel)
                .onReceive(timer) { _ in
                    if panel.active && panel.connectedAtMs != nil { model.tick() }
                }
                .sheet(item: $adding) { prefill in
                    AddCustomerScreen(app: app, prefill: prefill.number, onSaved: { _ in }, onOpenExisting: { _ in })
                }
        }
    }

    private func content(_ panel: CallPanel) -> some View {
        VStack(spacing: 12) {
            BilingualText(CallLabels.method(panel.method))
            Text(panel.number).font(.system(.title, design: .monospaced))
            if let name = panel.customerName {
                Text(name).font(.title2)
            } else if panel.canAddToLibrary {
                // R15: phone prefilled with the current number, name optional.
                Button(CallLabels.addToLibrary.line) { adding = Prefill(number: panel.number) }
                    .buttonStyle(.bordered)
            }
            BilingualText(panel.phase)
            if let elapsed = panel.elapsed {
                Text(elapsed).font(.system(.title3, design: .monospaced))
            }
            if let voice = panel.voice { BilingualText(voice) }
            if let quality = panel.quality { BilingualText(quality) }

            if panel.active {
                HStack(spacing: 12) {
                    Button((panel.held ? CallLabels.resume : CallLabels.hold).zh) {
                        Task { await model.toggleHold() }
                    }
                    .disabled(!panel.canHold || model.state.busy)
                    Button((panel.muted ? CallLabels.unmute : CallLabels.mute).zh) {
                        Task { await model.toggleMute() }
                    }
                }
                .buttonStyle(.bordered)
                if panel.canSendDtmf {
                    if !model.state.dtmf.isEmpty {
                        Text(model.state.dtmf).font(.system(.title3, design: .monospaced))
                    }
                    ForEach(keys, id: \.self) { row in
                        HStack(spacing: 12) {
                            ForEach(Array(row), id: \.self) { key in
                                Button {
                                    Task { await model.dtmf(key) }
                                } label: {
                                    Text(String(key)).font(.title2).frame(maxWidth: .infinity, minHeight: 44)
                                }
                                .buttonStyle(.bordered)
                            }
                        }
                    }
                }
                Button(role: .destructive) {
                    Task { await model.hangUp() }
                } label: {
                    Text(CallLabels.hangUp.line).frame(maxWidth: .infinity)
                }
                .buttonStyle(.borderedProminent)
            } else {
                Button {
                    model.dismiss()
                } label: {
                    Text(CallLabels.close.line).frame(maxWidth: .infinity)
                }
                .buttonStyle(.borderedProminent)
            }
            Spacer()
        }
        .padding()
    }
}
