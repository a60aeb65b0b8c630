import Foundation
import Glibc
import LakehouseKit
import Synchronization

/// The roster in use, swapped whole by a reload. A request takes `current` once and works on that
/// snapshot to the end, so a reload never changes the roster under a request in flight.
public final class RosterHolder: Sendable {
    public struct Loaded: Sendable {
        public let roster: CompactRoster
        public let path: String
        public let loadedAt: Date
        public let loadSeconds: Double
    }

    private let state = Mutex<Loaded?>(nil)
    private let reloading = Atomic<Bool>(false)
    public let reloads = Counter()

    /// Where an acknowledged reload's path is recorded (none in tests that need no restart).
    let choice: RosterChoice?

    public init(choice: RosterChoice? = nil) {
        self.choice = choice
    }

    /// The roster now (empty before the first load).
    public var current: CompactRoster { state.withLock { $0?.roster } ?? Self.empty }
    public var loaded: Loaded? { state.withLock { $0 } }
    public var isLoaded: Bool { state.withLock { $0 != nil } }

    /// The roster for a request; before the first load has finished there is none to validate against.
    public func snapshot() throws(ValidatorError) -> CompactRoster {
        guard let roster = state.withLock({ $0?.roster }) else {
            throw ValidatorError(.unavailable, "the roster is still loading; retry when /readyz answers 200")
        }
        return roster
    }

    static let empty = CompactRoster.empty()

    public func install(_ roster: CompactRoster, path: String, loadSeconds: Double) {
        let loaded = Loaded(roster: roster, path: path, loadedAt: Date(), loadSeconds: loadSeconds)
        state.withLock { $0 = loaded }
    }

    /// Loads `path` off Swift's cooperative threads and swaps it in. A missing or malformed file
    /// throws and leaves the old roster in place; a second reload while one runs is a conflict.
    /// With `record`, the path is made durable (`RosterChoice`) before the swap is acknowledged.
    public func reload(path: String, record: Bool = false) async throws(ValidatorError) -> Loaded {
        guard reloading.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw ValidatorError(.conflict, "a roster reload is already in progress; retry when it has finished")
        }
        defer { reloading.store(false, ordering: .releasing) }
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<(CompactRoster, Double), ValidatorError>, Never>) in
            DispatchQueue.global().async {
                let started = MonotonicClock.nanoseconds()
                let result = Result { () throws(ValidatorError) -> (CompactRoster, Double) in
                    let roster = try RosterFile.load(path: path)
                    return (roster, Double(MonotonicClock.nanoseconds() - started) / 1e9)
                }
                continuation.resume(returning: result)
            }
        }
        let (roster, seconds) = try result.get()
        if record { try choice?.record(path) }
        install(roster, path: path, loadSeconds: seconds)
        reloads.increment()
        // Loading freed many small temporaries (and perhaps the previous roster): give the pages back.
        Self.returnFreeMemory()
        return loaded!
    }

    /// glibc's `malloc_trim(0)`, looked up at run time (Swift's Glibc module does not export malloc.h).
    static func returnFreeMemory() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
}
