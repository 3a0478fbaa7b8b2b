import SeatlineKit
import SwiftUI

/// The phone panel: state (R2, R4; R9 "电话异常" opens its detail on tap), the answering
/// switch 关闭接听/开启接听 (R3, R5 refusals as alerts), reception (R7, with the package).
struct PhoneScreen: View {
    @ObservedObject var phone: PhoneModel
    @ObservedObject var session: SessionModel

    var body: some View {
        let panel = phone.panel
        List {
            if let agent = session.profile {
                Section {
                    Text("\(agent.displayName) · \(agent.jobNumber)").font(.headline)
                    Text(agent.enterpriseName).foregroundColor(.secondary)
                }
            }
            if !panel.connected {
                BilingualText(Labels.offlineBanner).foregroundColor(.red)
            }
            Section(Labels.phoneState.line) {
                Button {
                    phone.openFault()
                } label: {
                    VStack(alignment: .leading, spacing: 4) {
                        BilingualText(panel.status)
                            .font(.title3)
                            .foregroundColor(panel.isFault ? .red : .primary)
                        if panel.isFault {
                            BilingualText(Labels.tapForDetail).font(.caption)
                        }
                    }
                }
                .disabled(!panel.isFault)
                .notice(panel.faultDetail) { phone.closeFault() }
            }
            if panel.showAnswering {
                Section {
                    Toggle(isOn: Binding(get: { panel.view.answerOn }, set: { on in Task { await phone.setAnswering(on) } })) {
                        BilingualText(panel.answerLabel)
                    }
                    .disabled(!panel.canSwitchAnswering)
                    if let other = panel.otherHolder {
                        BilingualText(Labels.answeringElsewhere(other)).font(.caption)
                    }
                    if panel.showReception {
                        Toggle(isOn: Binding(get: { panel.view.receptionOpen }, set: { isOpen in Task { await phone.setReception(isOpen) } })) {
                            BilingualText(panel.receptionLabel)
                        }
                        .disabled(panel.switching)
                    }
                }
            }
            Section {
                Button(Labels.logOut.line, role: .destructive) {
                    Task { await session.logOut() }
                }
            }
        }
        .navigationTitle(Labels.phoneTab.zh)
        .notice(panel.notice) { phone.dismissNotice() }
    }
}
