import LakehouseKit

/// A search filter over item metadata (SPEC §6): each key must match (keys are ANDed); a scalar
/// value matches by equality, a list value means any-of. A metadata field that is itself a list
/// matches when any of its elements does (so `{"skills":"forklift"}` finds workers whose skills
/// include forklift). An empty filter matches everything.
public struct MetadataFilter: Sendable, Equatable {
    public struct Clause: Sendable, Equatable {
        public let key: String
        public let anyOf: [JSONValue]
    }

    public let clauses: [Clause]

    public init(_ object: [String: JSONValue]) {
        clauses = object.keys.sorted().map { key in
            switch object[key]! {
            case .array(let values): Clause(key: key, anyOf: values)
            case let value: Clause(key: key, anyOf: [value])
            }
        }
    }

    /// Parses a filter from a JSON value, which must be an object.
    public init(json: JSONValue) throws(VectorError) {
        guard case .object(let o) = json else { throw .invalidQuery("filter must be a JSON object") }
        self.init(o)
    }

    /// A filter of exactly these clauses (a part of another filter's).
    init(clauses: [Clause]) { self.clauses = clauses }

    public var isEmpty: Bool { clauses.isEmpty }

    public func matches(_ metadata: [String: JSONValue]?) -> Bool {
        for clause in clauses {
            guard let value = metadata?[clause.key] else { return false }
            if !clause.matches(value) { return false }
        }
        return true
    }
}

extension MetadataFilter.Clause {
    func matches(_ value: JSONValue) -> Bool {
        for allowed in anyOf {
            if value == allowed { return true }
            if case .array(let elements) = value, elements.contains(allowed) { return true }
        }
        return false
    }
}

/// An inverted index from (metadata key, scalar value) to the nodes carrying it, so a selective
/// filter is answered exactly without scanning. Node ids are added in increasing order, so each
/// posting list stays sorted by appending. Lists may name tombstoned nodes; callers skip them.
struct MetadataPostings {
    /// The nodes of one (key, value), ascending; once the list is long (a state, a role, a city of
    /// a large roster) also a bitset over node ids, so narrowing a result by it is one bit test per
    /// node instead of a merge with the whole list.
    struct Posting {
        private(set) var nodes: [UInt32] = []
        private(set) var bits: [UInt64] = []

        /// Lists this long get a bitset (it costs at most node count / 8 bytes).
        static let denseAt = 4096

        var isDense: Bool { !bits.isEmpty }

        mutating func append(_ node: UInt32) {
            guard nodes.last != node else { return }
            nodes.append(node)
            if isDense {
                set(node)
            } else if nodes.count >= Self.denseAt {
                for n in nodes { set(n) }
            }
        }

        private mutating func set(_ node: UInt32) {
            let word = Int(node >> 6)
            if word >= bits.count { bits.append(contentsOf: repeatElement(0, count: word + 1 - bits.count)) }
            bits[word] |= 1 << UInt64(node & 63)
        }

        /// Whether `node` is in the list (dense postings only).
        @inline(__always)
        func contains(_ node: UInt32) -> Bool {
            let word = Int(node >> 6)
            return word < bits.count && bits[word] & (1 << UInt64(node & 63)) != 0
        }
    }

    private var byKey: [String: [JSONValue: Posting]] = [:]

    static func isScalar(_ v: JSONValue) -> Bool {
        switch v {
        case .null, .bool, .number, .string: true
        case .array, .object: false
        }
    }

    mutating func add(node: UInt32, metadata: [String: JSONValue]) {
        for (key, value) in metadata {
            switch value {
            case .array(let elements):
                for e in elements where Self.isScalar(e) { append(node, key, e) }
            case let v where Self.isScalar(v):
                append(node, key, v)
            default:
                break
            }
        }
    }

    private mutating func append(_ node: UInt32, _ key: String, _ value: JSONValue) {
        byKey[key, default: [:]][value, default: Posting()].append(node)
    }

    /// `filter` split for answering: `candidates`, the sorted nodes matching all its scalar clauses
    /// (a superset only by tombstones; nil when it has none), and `residual`, the clauses whose
    /// values the postings cannot answer (a list or object), to check against each candidate's
    /// metadata. So a mixed filter parses the metadata of the scalar clauses' matches only.
    func narrow(by filter: MetadataFilter) -> (candidates: [UInt32]?, residual: MetadataFilter) {
        let answerable = { (clause: MetadataFilter.Clause) in clause.anyOf.allSatisfy(Self.isScalar) }
        let scalar = filter.clauses.filter(answerable)
        if scalar.count == filter.clauses.count { return (candidates(for: filter), MetadataFilter(clauses: [])) }
        let residual = MetadataFilter(clauses: filter.clauses.filter { !answerable($0) })
        return (scalar.isEmpty ? nil : candidates(for: MetadataFilter(clauses: scalar)), residual)
    }

    /// The sorted nodes that can match `filter` (a superset only by tombstones), or nil when the
    /// filter holds a non-scalar value the postings cannot answer.
    ///
    /// Starts from the clause with the fewest postings and narrows by the others, so the cost
    /// follows the smallest clause, not the largest (a state's list can hold a fifth of the index):
    /// a result is narrowed by a dense clause with bit tests, else by a merge, or by galloping
    /// search when the result is much shorter than the clause's lists.
    func candidates(for filter: MetadataFilter) -> [UInt32]? {
        var clauses: [(postings: [Posting], total: Int)] = []
        clauses.reserveCapacity(filter.clauses.count)
        for clause in filter.clauses {
            guard clause.anyOf.allSatisfy(Self.isScalar) else { return nil }
            guard let values = byKey[clause.key] else { return [] }
            let postings = clause.anyOf.compactMap { values[$0] }
            if postings.isEmpty { return [] }
            clauses.append((postings, postings.reduce(0) { $0 + $1.nodes.count }))
        }
        guard !clauses.isEmpty else { return nil }
        clauses.sort { $0.total < $1.total }
        var result = Self.union(clauses[0].postings.map(\.nodes))
        for clause in clauses.dropFirst() {
            if result.isEmpty { break }
            result = Self.retain(result, inAnyOf: clause.postings)
        }
        return result
    }

    /// The sorted, duplicate-free union of sorted lists.
    static func union(_ lists: [[UInt32]]) -> [UInt32] {
        guard lists.count > 1 else { return lists.first ?? [] }
        var merged: [UInt32] = []
        merged.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        for list in lists { merged.append(contentsOf: list) }
        merged.sort()
        var unique: [UInt32] = []
        unique.reserveCapacity(merged.count)
        for n in merged { unique.appendIfNew(n) }
        return unique
    }

    /// The elements of sorted `result` found in at least one of `postings`.
    static func retain(_ result: [UInt32], inAnyOf postings: [Posting]) -> [UInt32] {
        if postings.allSatisfy(\.isDense) {
            return result.filter { n in postings.contains { $0.contains(n) } }
        }
        let lists = postings.map(\.nodes)
        return retain(result, inAnyOf: lists)
    }

    /// The elements of sorted `result` found in at least one of the sorted `lists`.
    static func retain(_ result: [UInt32], inAnyOf lists: [[UInt32]]) -> [UInt32] {
        if lists.count == 1 && lists[0].count <= 8 * result.count { return intersect(result, lists[0]) }
        var cursors = [Int](repeating: 0, count: lists.count)
        var out: [UInt32] = []
        out.reserveCapacity(result.count)
        for n in result {
            for (i, list) in lists.enumerated() {
                cursors[i] = gallop(list, from: cursors[i], to: n)
                if cursors[i] < list.count && list[cursors[i]] == n {
                    out.append(n)
                    break
                }
            }
        }
        return out
    }

    /// The first position at or after `start` whose element is ≥ `target` (`list` sorted).
    static func gallop(_ list: [UInt32], from start: Int, to target: UInt32) -> Int {
        var low = start
        var step = 1
        var high = start
        while high < list.count && list[high] < target {
            low = high + 1
            high += step
            step <<= 1
        }
        high = min(high, list.count)
        while low < high {
            let mid = (low + high) >> 1
            if list[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Merge intersection of two sorted lists; the cursors advance without a branch the CPU must
    /// guess (lists of similar length interleave unpredictably).
    static func intersect(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: min(a.count, b.count))
        let found = out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    var i = 0, j = 0, n = 0
                    while i < pa.count && j < pb.count {
                        let x = pa[i], y = pb[j]
                        o[n] = x
                        n &+= x == y ? 1 : 0
                        i &+= x <= y ? 1 : 0
                        j &+= y <= x ? 1 : 0
                    }
                    return n
                }
            }
        }
        out.removeLast(out.count - found)
        return out
    }

    /// Approximate heap bytes, for stats.
    var approximateBytes: Int {
        var total = 0
        for (key, values) in byKey {
            total += key.utf8.count + 64
            for (_, posting) in values { total += posting.nodes.capacity * 4 + posting.bits.capacity * 8 + 48 }
        }
        return total
    }
}

extension Array where Element == UInt32 {
    @inline(__always)
    fileprivate mutating func appendIfNew(_ n: UInt32) {
        if last != n { append(n) }
    }
}
