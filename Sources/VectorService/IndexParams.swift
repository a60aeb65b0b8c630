/// The parameters an index is created with; fixed for its lifetime.
public struct IndexParams: Sendable, Equatable, Codable {
    public var dims: Int
    public var metric: Metric
    /// HNSW neighbours per node on upper layers (layer 0 keeps 2·m).
    public var m: Int
    /// Candidate list size while inserting.
    public var efConstruction: Int
    /// `float` (default) or `int8` (8-bit codes in the graph, full precision to re-rank).
    public var quantization: Quantization

    public static let dimsRange = 1...4096
    public static let mRange = 2...128
    public static let efConstructionRange = 1...4096

    public init(dims: Int, metric: Metric = .cosine, m: Int = 16, efConstruction: Int = 200, quantization: Quantization = .float) {
        self.dims = dims
        self.metric = metric
        self.m = m
        self.efConstruction = efConstruction
        self.quantization = quantization
    }

    public func validate() throws(VectorError) {
        guard Self.dimsRange.contains(dims) else {
            throw .invalidParameter("dims must be in 1...4096, got \(dims)")
        }
        guard Self.mRange.contains(m) else { throw .invalidParameter("m must be in 2...128, got \(m)") }
        guard Self.efConstructionRange.contains(efConstruction) else {
            throw .invalidParameter("ef_construction must be in 1...4096, got \(efConstruction)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case dims, metric, m, quantization
        case efConstruction = "ef_construction"
    }

    /// Decodes the create body of SPEC §6: `dims` and `metric` required, `m` (16) and
    /// `ef_construction` (200) optional. Range checks are `validate()`'s.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dims = try c.decode(Int.self, forKey: .dims)
        metric = try c.decode(Metric.self, forKey: .metric)
        m = try c.decodeIfPresent(Int.self, forKey: .m) ?? 16
        efConstruction = try c.decodeIfPresent(Int.self, forKey: .efConstruction) ?? 200
        // Indexes created before quantisation existed have none in meta.json.
        quantization = try c.decodeIfPresent(Quantization.self, forKey: .quantization) ?? .float
    }
}
