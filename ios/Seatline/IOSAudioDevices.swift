import AVFoundation
import SeatlineCore

/// R8 device choice and R10 microphone check: the core asks which microphones and
/// speakers a call could use. Called on a core thread; AVAudioSession allows that.
final class IOSAudioDevices: AudioDevicesProvider, @unchecked Sendable {
    private let session = AVAudioSession.sharedInstance()

    init() {
        // Inputs are listed only under a category that records. Setting it activates
        // nothing: the session stays inactive until a call needs it.
        try? session.setCategory(.playAndRecord, mode: .voiceChat, options: [.allowBluetooth])
    }

    func microphones() -> [AudioDeviceInfo] {
        (session.availableInputs ?? []).map { AudioDeviceInfo(id: $0.uid, name: $0.portName) }
    }

    /// iOS routes output rather than listing it: the receiver and the loudspeaker are
    /// always there, plus whatever the current route adds (a headset, Bluetooth).
    func speakers() -> [AudioDeviceInfo] {
        var outputs = [
            AudioDeviceInfo(id: "builtin-receiver", name: "听筒 Receiver"),
            AudioDeviceInfo(id: "builtin-speaker", name: "扬声器 Speaker"),
        ]
        for port in session.currentRoute.outputs where port.portType != .builtInReceiver && port.portType != .builtInSpeaker {
            outputs.append(AudioDeviceInfo(id: port.uid, name: port.portName))
        }
        return outputs
    }
}
