import Dispatch

/// Where the core's blocking calls (its SQLite store) run: off the main thread in the app,
/// inline in tests so that they read the state right after an action.
public protocol Worker: Sendable {
    func run<T>(_ work: @escaping () throws -> T) async throws -> T
}

public struct BackgroundWorker: Worker {
    private let queue = DispatchQueue(label: "io.seatline.core", qos: .userInitiated, attributes: .concurrent)

    public init() {}

    public func run<T>(_ work: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result(catching: work))
            }
        }
    }
}

public struct InlineWorker: Worker {
    public init() {}

    public func run<T>(_ work: @escaping () throws -> T) async throws -> T {
        try work()
    }
}
