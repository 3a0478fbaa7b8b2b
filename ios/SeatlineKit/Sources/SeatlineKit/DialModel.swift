import Combine
import SeatlineCore

public struct DialUi: Equatable {
    public var text = ""
    public var cursor = 0
    /// R14: past 12 digits the text is drawn smaller.
    public var shrink = false
    /// Why the last call did not start (R2, R3, R9: "暂无法发起呼叫，请稍后重试").
    public var refusal: Bilingual?

    public init() {}

    /// Relative size of the number: 1 up to 12 digits, smaller past them (R14).
    public var textScale: Double { shrink ? 0.72 : 1 }
}

/// The dial pad screen (R14) over the core's `DialPad`: every key, paste and field edit
/// goes to the core, which keeps digits only, at most 20, and says when to shrink. Enter
/// or the call button asks the core whether a call may start (`checkDial`), then hands
/// the number to the `CallStarter`. The pad works in memory only: no worker needed.
@MainActor
public final class DialModel: ObservableObject {
    @Published public private(set) var state = DialUi()
    private let pad: DialPadProtocol
    private let core: AgentCore
    private let calls: CallStarter

    public init(pad: DialPadProtocol, core: AgentCore, calls: CallStarter) {
        self.pad = pad
        self.core = core
        self.calls = calls
        show(pad.state())
    }

    public func press(_ digit: Character) { show(pad.press(digit: String(digit))) }
    public func paste(_ text: String) { show(pad.paste(text: text)) }
    public func backspace() { show(pad.key(key: .backspace)) }
    public func clear() { show(pad.clear()) }

    /// Replaces the number, e.g. from a customer card; non-digits are dropped by the core.
    public func set(_ number: String) {
        _ = pad.clear()
        show(pad.paste(text: number))
    }

    /// The field's new text: replayed on the core as deletions and a paste, so the field
    /// then shows what the core kept. Always publishes, so that a refused character
    /// disappears from the field even when the number did not change.
    public func edit(_ newText: String, cursor: Int? = nil) {
        let change = TextEdit.between(state.text, newText, cursor: cursor)
        if change.isEmpty {
            show(pad.state())
            return
        }
        var s = pad.setCursor(cursor: UInt32(change.at + change.removed))
        for _ in 0..<change.removed {
            s = pad.key(key: .backspace)
        }
        if !change.inserted.isEmpty {
            s = pad.paste(text: change.inserted)
        }
        show(s)
    }

    /// Enter or the call button (R14).
    public func call() async {
        let number: String
        do {
            number = try core.checkDial(number: try pad.enter())
        } catch SeatlineError.InvalidInput {
            state.refusal = state.text.isEmpty ? Labels.enterNumber : Labels.numberTooShort
            return
        } catch {
            state.refusal = Notices.of(error)
            return
        }
        state.refusal = await calls.start(number: number)
    }

    public func dismissRefusal() { state.refusal = nil }

    private func show(_ s: DialPadState) {
        var next = DialUi()
        next.text = s.text
        next.cursor = Int(s.cursor)
        next.shrink = s.shrink
        state = next
    }
}
