import Synchronization

/// What the last searches of each vectord index showed: its live item count, and whether its last
/// plain search came back with a full pool. A retrieve sends a search it may not need together
/// with the one it needs when the index is small (`speculativeBelow`): an exact scan of a few
/// thousand items costs less than another round trip. The role-filtered search is only needed
/// after a full pool, so it is speculated only where the last plain search filled one.
final class IndexSizes: Sendable {
    static let speculativeBelow = 20_000
    private let seen = Mutex<[String: (count: Int, fullPlain: Bool)]>([:])

    func note(_ index: String, count: Int) {
        seen.withLock { $0[index, default: (0, false)].count = count }
    }

    func notePlain(_ index: String, filledPool: Bool) {
        seen.withLock { $0[index, default: (0, false)].fullPlain = filledPool }
    }

    /// Known to be small; an index never reported is not.
    func isSmall(_ index: String) -> Bool {
        seen.withLock { $0[index]?.count }.map { $0 > 0 && $0 < IndexSizes.speculativeBelow } ?? false
    }

    /// Small, and its last plain search filled the pool.
    func mayNeedRoleSearch(_ index: String) -> Bool {
        isSmall(index) && seen.withLock { $0[index]?.fullPlain ?? false }
    }
}
