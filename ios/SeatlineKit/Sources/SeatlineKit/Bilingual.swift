/// A text the app shows in zh-CN with the English beside it. Texts of the rules (phone
/// states, refusals, prompts) come from the core in both languages; the shell only adds
/// the labels of its own screens (`Labels`).
public struct Bilingual: Equatable, Hashable, Sendable {
    public let zh: String
    public let en: String

    public init(_ zh: String, _ en: String) {
        self.zh = zh
        self.en = en
    }

    /// Both on one line, for alerts and buttons: "关闭接听 · Answering off".
    public var line: String {
        en.isEmpty || en == zh ? zh : "\(zh) · \(en)"
    }
}
