/// How a filtered search is answered once its matching set is known: an exact scan of the
/// matches, or a graph walk that traverses non-matching nodes without returning them.
///
/// The choice is by cost, so a filtered search's cost stays bounded as the index grows:
/// - a matching set of at most `exactFilterBelow` items (`VECTORD_EXACT_FILTER_BELOW`) is
///   scanned exactly: small sets (a role with few playbooks) keep exact answers;
/// - above it, the walk is used unless it is estimated to cost more than the scan. The walk's
///   breadth grows with the fourth root of the selectivity s = live / matching, to keep recall;
///   to collect `breadth` matches it visits about `breadth × s` nodes of the query's neighbourhood,
///   each costing about `walkCost` of one scanned match.
///
/// So for a filter matching a fixed share of the index (one role of twenty) the walk's cost does
/// not grow with the index, and the scan is used only while it is cheaper. The old rule (exact
/// while matching ≤ live / 8) scanned a fixed share of the index, a cost that grew linearly.
enum FilteredSearchPlan: Equatable {
    case exact
    case graph(breadth: Int)

    /// The walk's cost per node `breadth × s` counts, in scanned matches. Measured with
    /// `Scripts/bench/filtered` (384 dims, one role of 20, roles near one another as embedded
    /// playbook sentences are): the walk at breadth 64 cost as much as scanning ~900 matches, at
    /// breadth 286 ~2,500, i.e. 0.45–0.7 per node. A filter unrelated to where vectors lie makes
    /// the walk dearer than estimated, still the same at every index size.
    static let walkCost = 0.5

    static func choose(matching: Int, live: Int, k: Int, ef: Int, exactFilterBelow: Int, maxEF: Int,
                       walkCost: Double = walkCost) -> FilteredSearchPlan {
        if matching <= exactFilterBelow || matching <= k { return .exact }
        let selectivity = Double(max(live, matching)) / Double(matching)
        let breadth = min(maxEF, Int((Double(max(ef, k)) * selectivity.squareRoot().squareRoot()).rounded(.up)))
        let walk = Double(breadth) * selectivity * walkCost
        return Double(matching) <= walk ? .exact : .graph(breadth: breadth)
    }
}
