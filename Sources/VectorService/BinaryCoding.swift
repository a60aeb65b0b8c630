import LakehouseKit

/// Little-endian binary encoding shared by the write-ahead log and snapshots: fixed-width
/// integers, length-prefixed strings, raw float arrays, and a tagged encoding of `JSONValue`
/// metadata (far faster to decode at recovery than JSON text).
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func floats(_ p: UnsafeBufferPointer<Float>) {
        // Floats are stored in host order; every supported host (x86_64, arm64) is little-endian.
        bytes.append(contentsOf: UnsafeRawBufferPointer(p))
    }

    mutating func json(_ v: JSONValue) {
        switch v {
        case .null: u8(0)
        case .bool(let b): u8(b ? 2 : 1)
        case .number(let n): u8(3); f64(n)
        case .string(let s): u8(4); string(s)
        case .array(let a):
            u8(5); u32(UInt32(a.count))
            for e in a { json(e) }
        case .object(let o):
            u8(6); u32(UInt32(o.count))
            for (k, e) in o { string(k); json(e) }
        }
    }

    mutating func metadata(_ m: [String: JSONValue]?) {
        if let m { json(.object(m)) } else { u8(0) }
    }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and throws `Truncated` on a short
/// buffer, so a damaged record is rejected rather than misread.
struct ByteReader {
    struct Truncated: Error {}

    let base: UnsafeRawPointer
    let count: Int
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        count = buffer.count
    }

    var remaining: Int { count - offset }

    mutating func need(_ n: Int) throws {
        if n < 0 || n > remaining { throw Truncated() }
    }

    mutating func u8() throws -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return base.load(fromByteOffset: offset, as: UInt8.self)
    }

    mutating func u16() throws -> UInt16 {
        try need(2)
        defer { offset += 2 }
        return UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    mutating func u32() throws -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func u64() throws -> UInt64 {
        try need(8)
        defer { offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }

    mutating func string() throws -> String {
        let n = Int(try u32())
        try need(n)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(start: base + offset, count: n), as: UTF8.self)
    }

    /// A pointer to `n` raw bytes in the buffer, advancing past them.
    mutating func raw(_ n: Int) throws -> UnsafeRawPointer {
        try need(n)
        defer { offset += n }
        return base + offset
    }

    mutating func floats(_ n: Int) throws -> [Float] {
        let p = try raw(n * 4)
        return [Float](unsafeUninitializedCapacity: n) { buf, initialized in
            UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: p, byteCount: n * 4)
            initialized = n
        }
    }

    mutating func json(depth: Int = 0) throws -> JSONValue {
        guard depth < 512 else { throw Truncated() }
        switch try u8() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .number(try f64())
        case 4: return .string(try string())
        case 5:
            let n = Int(try u32())
            try need(n)  // each element takes at least one byte
            var a: [JSONValue] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(try json(depth: depth + 1)) }
            return .array(a)
        case 6:
            let n = Int(try u32())
            try need(n * 5)
            var o: [String: JSONValue] = [:]
            o.reserveCapacity(n)
            for _ in 0..<n {
                let k = try string()
                o[k] = try json(depth: depth + 1)
            }
            return .object(o)
        default:
            throw Truncated()
        }
    }

    mutating func metadata() throws -> [String: JSONValue]? {
        switch try json() {
        case .null: return nil
        case .object(let o): return o
        default: throw Truncated()
        }
    }
}
