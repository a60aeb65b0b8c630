import Foundation
import Synchronization

/// Runs `body` and answers with its result, or with `fallback` once `milliseconds` pass, whichever
/// comes first. The body keeps running in the background when it loses (a blocked peer call or a
/// long file scan cannot hold an audit past its budget); its late result is dropped.
func bounded<T: Sendable>(_ milliseconds: Int, fallback: @escaping @Sendable () -> T, _ body: @escaping @Sendable () async -> T) async -> T {
    let slot = FirstAnswer<T>()
    return await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        slot.set(continuation)
        Task { slot.finish(await body()) }
        // The deadline runs on a Dispatch timer, not a task: it fires even when every cooperative
        // thread is busy.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { slot.finish(fallback()) }
    }
}

/// Resumes a continuation with the first value offered; later ones are dropped.
final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func set(_ value: CheckedContinuation<T, Never>) { continuation.withLock { $0 = value } }

    func finish(_ value: T) {
        let waiting = continuation.withLock { current -> CheckedContinuation<T, Never>? in
            defer { current = nil }
            return current
        }
        waiting?.resume(returning: value)
    }
}

/// Runs blocking work (file scans) on a Dispatch thread rather than a cooperative one.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}
