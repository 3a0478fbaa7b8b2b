import SeatlineCore
import XCTest
@testable import SeatlineKit

@MainActor
final class SettingsModelTests: XCTestCase {
    private var core: FakeCore!
    private var audio: FakeAudio!
    private var model: SettingsModel!

    override func setUp() async throws {
        core = FakeCore()
        audio = FakeAudio()
        model = SettingsModel(core: core, audio: audio, worker: InlineWorker())
        await model.load()
    }

    func testR8TogglesAndVolumesAreStoredThroughTheCore() async {
        await model.setAutoLogin(true)
        await model.setNotifications(false)
        await model.setSpeakerVolume(55)
        await model.setMicrophoneVolume(140)
        XCTAssertTrue(core.stored.autoLogin)
        XCTAssertFalse(core.stored.notifications)
        XCTAssertEqual(core.stored.speakerVolume, 55)
        XCTAssertEqual(core.stored.microphoneVolume, 100, "volumes are percentages")
    }

    func testR6AutoAnswerIsAPcSettingThatThePhoneKeepsAsItIs() async {
        core.stored = testSettings(autoAnswer: true)
        await model.load()
        await model.setNotifications(false)
        XCTAssertTrue(core.stored.autoAnswer)
    }

    func testR8MicrophoneAndSpeakerChoicesComeFromTheDevice() async {
        XCTAssertEqual(model.microphoneChoices.map(\.id), [nil, "builtin"])
        XCTAssertEqual(model.microphoneChoices.first?.selected, true)
        await model.setSpeaker("speaker")
        XCTAssertEqual(core.stored.speaker, "speaker")
        XCTAssertEqual(model.speakerChoices.map(\.selected), [false, false, true])
    }

    func testAChosenDeviceThatWentAwayFallsBackToTheDefault() async {
        await model.setMicrophone("headset-1")
        await model.load()
        XCTAssertEqual(model.microphoneChoices.first?.selected, true)
    }

    func testARefusedChangeIsUndoneOnScreen() async {
        core.settingsError = .InvalidInput(detail: "speaker_volume: at most 100")
        await model.setSpeakerVolume(50)
        XCTAssertEqual(model.settings?.speakerVolume, 80)
        XCTAssertTrue(model.notice?.en.hasPrefix("Invalid input") ?? false)
    }
}
