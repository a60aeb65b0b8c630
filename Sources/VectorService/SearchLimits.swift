/// The configured bounds a search is planned within (from `VectorConfig`).
struct SearchLimits: Sendable, Equatable {
    /// Indexes with fewer live items are scanned exactly (`VECTORD_EXACT_SEARCH_BELOW`).
    var exactBelow: Int
    /// Filtered searches matching at most this many live items are scanned exactly
    /// (`VECTORD_EXACT_FILTER_BELOW`; see `FilteredSearchPlan`).
    var exactFilterBelow: Int
    /// The widest graph breadth a search may use (`VECTORD_MAX_EF`).
    var maxEF: Int
    /// The filtered walk's estimated cost (`FilteredSearchPlan.walkCost`; tests set 0 to walk
    /// whenever the matching set exceeds `exactFilterBelow`).
    var filterWalkCost: Double = FilteredSearchPlan.walkCost
}

extension VectorConfig {
    var searchLimits: SearchLimits {
        SearchLimits(exactBelow: exactSearchBelow, exactFilterBelow: exactFilterBelow, maxEF: maxEF, filterWalkCost: filterWalkCost)
    }
}
