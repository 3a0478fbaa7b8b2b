import SeatlineKit
import SwiftUI

/// R8 on a phone. Auto-answer (R6) is the PC's and is not offered here; the microphone
/// test and test sound come with the voice engine.
struct SettingsScreen: View {
    @ObservedObject var model: SettingsModel

    var body: some View {
        Form {
            if let s = model.settings {
                Section {
                    Toggle(isOn: Binding(get: { s.autoLogin }, set: { on in Task { await model.setAutoLogin(on) } })) {
                        BilingualText(Labels.autoLogin)
                    }
                    Toggle(isOn: Binding(get: { s.notifications }, set: { on in Task { await model.setNotifications(on) } })) {
                        BilingualText(Labels.notifications)
                    }
                }
                Section {
                    DevicePicker(title: Labels.microphone, choices: model.microphoneChoices) { id in
                        Task { await model.setMicrophone(id) }
                    }
                    VolumeSlider(title: Labels.microphoneVolume, percent: Int(s.microphoneVolume)) { p in
                        Task { await model.setMicrophoneVolume(p) }
                    }
                }
                Section {
                    DevicePicker(title: Labels.speaker, choices: model.speakerChoices) { id in
                        Task { await model.setSpeaker(id) }
                    }
                    VolumeSlider(title: Labels.speakerVolume, percent: Int(s.speakerVolume)) { p in
                        Task { await model.setSpeakerVolume(p) }
                    }
                }
            }
        }
        .navigationTitle(Labels.settingsTab.zh)
        // Devices come and go (headsets): list them afresh each time the tab opens.
        .task { await model.load() }
        .notice(model.notice) { model.dismissNotice() }
    }
}

private struct DevicePicker: View {
    let title: Bilingual
    let choices: [DeviceChoice]
    let onPick: @MainActor (String?) -> Void

    var body: some View {
        Picker(selection: Binding(get: { choices.first { $0.selected }?.id }, set: { onPick($0) })) {
            ForEach(choices) { choice in
                Text(choice.label.line).tag(choice.id)
            }
        } label: {
            BilingualText(title)
        }
    }
}

/// Saved when the finger lifts, not on every step of the drag.
private struct VolumeSlider: View {
    let title: Bilingual
    let percent: Int
    let onCommit: @MainActor (Int) -> Void
    @State private var value = 0.0

    var body: some View {
        VStack(alignment: .leading) {
            BilingualText(Bilingual("\(title.zh) \(Int(value))%", "\(title.en) \(Int(value))%"))
            Slider(value: $value, in: 0...100, step: 1) { editing in
                if !editing { onCommit(Int(value)) }
            }
        }
        .onAppear { value = Double(percent) }
        .onChange(of: percent) { value = Double($0) }
    }
}
