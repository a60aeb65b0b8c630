/// Writes `Float`s as JSON numbers that read back as exactly the same `Float`.
///
/// The digits are `Float.description`'s: the shortest decimal that round-trips (Swift's SwiftDtoa),
/// e.g. `0.012345678`, `-3.0`, `1.5e-05`, `1e+08`, all valid JSON numbers. A hand-written
/// shortest-digit search in `Double` arithmetic was tried and measured slower than SwiftDtoa, so the
/// only work here is copying the (small, heap-free) string's bytes. About 60 ns a number: a
/// 384-dimension vector encodes in ~25 µs, once, and is then served from the cache as bytes.
///
/// `nan` and `inf` have no JSON form: encoding one is a programming error, because every vector is
/// checked finite (`EmbeddingCheck`) before it is encoded.
enum JSONFloatFormat {
    /// Appends `value` to `bytes`.
    @inline(__always)
    static func append(_ value: Float, to bytes: inout [UInt8]) {
        precondition(value.isFinite, "a non-finite float has no JSON form")
        var text = value.description
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends the JSON array `[v0,v1,…]`.
    static func appendArray(_ values: [Float], to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + values.count * 12 + 2)
        bytes.append(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            append(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The JSON array `[v0,v1,…]` as bytes.
    static func array(_ values: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        appendArray(values, to: &bytes)
        return bytes
    }
}
