/// One embedding as the service keeps it: the floats, and the same floats already encoded as a JSON
/// array (`[0.0123,-0.04,…]`), so a response is assembled by copying bytes, never by re-encoding.
///
/// Immutable and shared: the cache, in-flight waiters and responses hold the same instance.
public final class EmbeddedVector: Sendable {
    public let values: [Float]
    /// `values` as a JSON array, digits exactly as `JSONFloatFormat` writes them.
    public let json: [UInt8]

    /// Encodes `values`; every value must be finite (see `EmbeddingCheck`).
    public init(_ values: [Float]) {
        self.values = values
        self.json = JSONFloatFormat.array(values)
    }

    public var dims: Int { values.count }
}

/// What the service requires of a provider's reply before it caches or serves anything.
enum EmbeddingCheck {
    /// Throws `providerFailed` unless there is exactly one vector per text, all of one non-zero
    /// length, with only finite values (JSON has no NaN or infinity).
    static func validate(_ vectors: [[Float]], expectedCount: Int, provider: String) throws(EmbedError) {
        guard vectors.count == expectedCount else {
            throw .providerFailed(provider: provider, message: "returned \(vectors.count) vectors for \(expectedCount) texts")
        }
        guard let dims = vectors.first?.count else { return }
        guard dims > 0 else { throw .providerFailed(provider: provider, message: "returned an empty vector") }
        for (i, vector) in vectors.enumerated() {
            guard vector.count == dims else {
                throw .providerFailed(
                    provider: provider, message: "returned vectors of different lengths (\(dims) and \(vector.count) at \(i))")
            }
            guard vector.allSatisfy(\.isFinite) else {
                throw .providerFailed(provider: provider, message: "returned a non-finite value in vector \(i)")
            }
        }
    }
}
