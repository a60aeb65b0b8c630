/// Every way a vectord domain call can fail. The HTTP layer maps `kind` to a status in one place:
/// badRequest → 400, notFound → 404, conflict → 409, tooLarge → 413, unavailable → 503, storage → 500.
public enum VectorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Index name not matching `[a-z0-9_-]{1,64}`.
    case invalidIndexName(String)
    /// A create parameter out of range (dims, m, ef_construction, metric).
    case invalidParameter(String)
    /// A vector whose length is not the index's dims.
    case dimensionMismatch(expected: Int, got: Int)
    /// NaN or ±infinity at `position` of a vector (or a zero vector under cosine).
    case invalidVector(String)
    /// An item id that is empty or longer than 256 bytes of UTF-8.
    case invalidItemID(String)
    /// k or ef out of bounds, or a malformed filter.
    case invalidQuery(String)
    case indexNotFound(String)
    case itemNotFound(index: String, id: String)
    /// Create of an existing index with different parameters.
    case indexConflict(name: String, existing: IndexParams)
    /// A request carrying more than the configured limit of items.
    case tooLarge(String)
    /// The index is being deleted or the catalog is shutting down.
    case unavailable(String)
    /// An I/O failure: the write was not acknowledged.
    case storage(String)

    public enum Kind: Sendable { case badRequest, notFound, conflict, tooLarge, unavailable, storage }

    public var kind: Kind {
        switch self {
        case .invalidIndexName, .invalidParameter, .dimensionMismatch, .invalidVector, .invalidItemID, .invalidQuery:
            .badRequest
        case .indexNotFound, .itemNotFound: .notFound
        case .indexConflict: .conflict
        case .tooLarge: .tooLarge
        case .unavailable: .unavailable
        case .storage: .storage
        }
    }

    public var description: String {
        switch self {
        case .invalidIndexName(let n): "invalid index name \"\(n)\": must match [a-z0-9_-]{1,64}"
        case .invalidParameter(let m): m
        case .dimensionMismatch(let e, let g): "vector has \(g) dimensions, index expects \(e)"
        case .invalidVector(let m): m
        case .invalidItemID(let m): m
        case .invalidQuery(let m): m
        case .indexNotFound(let n): "index \"\(n)\" not found"
        case .itemNotFound(let i, let id): "item \"\(id)\" not found in index \"\(i)\""
        case .indexConflict(let n, let p):
            "index \"\(n)\" exists with different parameters (dims \(p.dims), metric \(p.metric.rawValue), m \(p.m), ef_construction \(p.efConstruction), quantization \(p.quantization.rawValue))"
        case .tooLarge(let m): m
        case .unavailable(let m): m
        case .storage(let m): "storage failure: \(m)"
        }
    }
}
