import SeatlineKit
import SwiftUI

/// R1: enterprise code, job number and password; R2: the panel reads "尚未登录" meanwhile.
struct LoginView: View {
    @EnvironmentObject private var session: SessionModel
    @EnvironmentObject private var phone: PhoneModel

    var body: some View {
        Form {
            Section {
                BilingualText(Labels.appName).font(.title2)
                BilingualText(phone.panel.status).foregroundColor(.secondary)
            }
            Section {
                TextField(Labels.enterprise.line, text: $session.form.enterprise)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                TextField(Labels.jobNumber.line, text: $session.form.jobNumber)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                SecureField(Labels.password.line, text: $session.form.password)
                    .onSubmit { Task { await session.logIn() } }
            }
            if let error = session.error {
                Section {
                    BilingualText(error).foregroundColor(.red)
                }
            }
            Section {
                Button {
                    Task { await session.logIn() }
                } label: {
                    Text(session.busy ? Labels.loggingIn.line : Labels.logIn.line)
                }
                .disabled(!session.canSubmit)
            }
        }
    }
}
