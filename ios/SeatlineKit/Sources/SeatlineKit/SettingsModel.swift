import Combine
import SeatlineCore

/// A choice in a device list; `id == nil` is the system default.
public struct DeviceChoice: Equatable, Identifiable {
    public let id: String?
    public let label: Bilingual
    public let selected: Bool
}

/// Settings of R8 on a phone: auto-login, notifications, microphone and speaker, volumes.
/// Auto-answer (R6) is a PC setting: this screen never shows or changes it, and keeps the
/// stored value as it is. The microphone test and test sound need the voice engine and
/// come with it.
@MainActor
public final class SettingsModel: ObservableObject {
    @Published public private(set) var settings: Settings?
    @Published public private(set) var microphones: [AudioDeviceInfo] = []
    @Published public private(set) var speakers: [AudioDeviceInfo] = []
    @Published public private(set) var notice: Bilingual?

    private let core: AgentCore
    private let audio: AudioDevicesProvider
    private let worker: Worker

    public init(core: AgentCore, audio: AudioDevicesProvider, worker: Worker) {
        self.core = core
        self.audio = audio
        self.worker = worker
    }

    public var microphoneChoices: [DeviceChoice] { Self.choices(microphones, saved: settings?.microphone) }
    public var speakerChoices: [DeviceChoice] { Self.choices(speakers, saved: settings?.speaker) }

    /// Reads the settings and the devices present now (a headset may come and go).
    public func load() async {
        let (core, audio) = (self.core, self.audio)
        guard let loaded = try? await worker.run({ (core.settings(), audio.microphones(), audio.speakers()) }) else {
            return
        }
        settings = loaded.0
        microphones = loaded.1
        speakers = loaded.2
    }

    public func setAutoLogin(_ on: Bool) async { await change { $0.autoLogin = on } }
    public func setNotifications(_ on: Bool) async { await change { $0.notifications = on } }
    public func setMicrophone(_ id: String?) async { await change { $0.microphone = id } }
    public func setSpeaker(_ id: String?) async { await change { $0.speaker = id } }
    public func setMicrophoneVolume(_ percent: Int) async { await change { $0.microphoneVolume = Self.volume(percent) } }
    public func setSpeakerVolume(_ percent: Int) async { await change { $0.speakerVolume = Self.volume(percent) } }
    public func dismissNotice() { notice = nil }

    /// Saves through the core, which validates; on a refusal the screen shows the old value.
    private func change(_ edit: (inout Settings) -> Void) async {
        guard let current = settings else { return }
        var next = current
        edit(&next)
        settings = next
        let (core, toSave) = (self.core, next)
        do {
            try await worker.run { try core.setSettings(toSave) }
        } catch {
            settings = current
            notice = Notices.of(error)
        }
    }

    nonisolated public static func volume(_ percent: Int) -> UInt8 {
        UInt8(min(max(percent, 0), 100))
    }

    /// The system default first, then each device by its name. A saved device that is no
    /// longer there (a headset unplugged) is not offered; the default is selected.
    nonisolated public static func choices(_ devices: [AudioDeviceInfo], saved: String?) -> [DeviceChoice] {
        let present = saved.flatMap { id in devices.contains { $0.id == id } ? id : nil }
        return [DeviceChoice(id: nil, label: Labels.systemDefault, selected: present == nil)]
            + devices.map { DeviceChoice(id: $0.id, label: Bilingual($0.name, $0.name), selected: $0.id == present) }
    }
}
