import SeatlineCore

/// What the phone panel shows. Derived texts are properties, so the screen and its tests
/// read the same thing.
public struct PhonePanel: Equatable {
    public var view: PhoneView = PhoneViews.loggedOut
    /// R7: reception exists only with the online-service package.
    public var hasOnlineService = false
    /// R9: the agent opened the fault state.
    public var faultOpen = false
    /// A switch of answering or reception is on its way to the platform.
    public var switching = false
    /// A refusal (R3, R5) or failure to show once.
    public var notice: Bilingual?
    /// R10: "请插入麦克风", shown until dismissed.
    public var microphonePrompt: Bilingual?
    public var connected = true

    public init() {}

    /// R2, R4, R9: "尚未登录", "电话异常" or the answer state, from the core.
    public var status: Bilingual { Bilingual(view.textZh, view.textEn) }
    public var isFault: Bool { view.phone == .fault }

    /// R9: what opening "电话异常" says.
    public var faultDetail: Bilingual? {
        faultOpen && isFault ? Bilingual(view.faultDetailZh, view.faultDetailEn) : nil
    }

    public var showAnswering: Bool { view.phone != .notLoggedIn }
    public var answerLabel: Bilingual { Labels.answer(view.answer) }
    public var canSwitchAnswering: Bool { view.phone == .ready && !switching && !view.answerPending }

    /// R7: hidden without the package, and while logged out.
    public var showReception: Bool { hasOnlineService && view.phone != .notLoggedIn }
    public var receptionLabel: Bilingual { Labels.reception(isOpen: view.receptionOpen) }

    /// R5: which other device holds answering, if one does.
    public var otherHolder: DeviceKind? {
        guard let holder = view.answerHolder else { return nil }
        let mine: DeviceKind = (view.answer == .pcBusy || view.answer == .pcIdle) ? .pc : .mobile
        return holder == mine ? nil : holder
    }
}

/// The events that change the panel, as a pure function: the model and its tests share it.
public enum PhoneReducer {
    public static func reduce(_ panel: PhonePanel, _ event: ClientEvent) -> PhonePanel {
        var next = panel
        switch event {
        case let .phoneChanged(view):
            next.view = view
            // A fault that cleared closes its detail.
            next.faultOpen = panel.faultOpen && view.phone == .fault
        case let .answerRefused(_, textZh, textEn):
            next.notice = Bilingual(textZh, textEn)
        case let .microphonePrompt(textZh, textEn):
            next.microphonePrompt = Bilingual(textZh, textEn)
        case let .connection(up):
            next.connected = up
        case .sessionEnded:
            next.view = PhoneViews.loggedOut
            next.faultOpen = false
            next.switching = false
            next.hasOnlineService = false
        case .libraryChanged, .recordsChanged, .callChanged:
            break
        }
        return next
    }
}

public enum PhoneViews {
    /// R2: the panel before the core has said anything: "尚未登录".
    public static var loggedOut: PhoneView {
        PhoneView(
            phone: .notLoggedIn, answer: .mobileOff, answerOn: false, answerPending: false,
            answerHolder: nil, receptionOpen: false, devicesOnline: [],
            textZh: "尚未登录", textEn: "Not logged in", faultDetailZh: "", faultDetailEn: ""
        )
    }
}
