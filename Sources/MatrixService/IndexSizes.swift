import Synchronization

/// The live item count of each vectord index, as its last search answer reported it. A retrieve
/// sends a search it may not need together with the one it needs when the index is small
/// (`speculativeBelow`): an exact scan of a few thousand items costs less than another round trip.
final class IndexSizes: Sendable {
    static let speculativeBelow = 20_000
    private let counts = Mutex<[String: Int]>([:])

    func note(_ index: String, count: Int) {
        counts.withLock { $0[index] = count }
    }

    /// Known to be small; an index never reported is not.
    func isSmall(_ index: String) -> Bool {
        counts.withLock { $0[index] }.map { $0 < IndexSizes.speculativeBelow } ?? false
    }
}
