/// A SHA-256 digest: 32 bytes, held as four big-endian 64-bit words so arrays of millions of them
/// (the chain and the Merkle tree) are compact and compare cheaply.
public struct SHA256Digest: Hashable, Sendable, CustomStringConvertible {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let zero = SHA256Digest(w0: 0, w1: 0, w2: 0, w3: 0)

    init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// From exactly 32 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words = [UInt64](repeating: 0, count: 4)
        for (i, byte) in bytes.enumerated() { words[i / 8] = words[i / 8] << 8 | UInt64(byte) }
        self.init(w0: words[0], w1: words[1], w2: words[2], w3: words[3])
    }

    /// From 64 hex digits (either case).
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let hi = SHA256Digest.nibble(utf8[i]), let lo = SHA256Digest.nibble(utf8[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        self.init(bytes: bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        write(to: &out, at: 0)
        return out
    }

    /// Writes the 32 bytes into `out[at..<at+32]`.
    func write(to out: inout [UInt8], at: Int) {
        for (k, word) in [w0, w1, w2, w3].enumerated() {
            for j in 0..<8 { out[at + k * 8 + j] = UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * j)) }
        }
    }

    /// Appends the 32 bytes to `out`.
    func append(to out: inout [UInt8]) {
        for word in [w0, w1, w2, w3] {
            for j in 0..<8 { out.append(UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * j))) }
        }
    }

    /// Lowercase hex, as every journald answer writes hashes.
    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for word in [w0, w1, w2, w3] {
            for j in 0..<16 { out.append(digits[Int((word >> UInt64(60 - 4 * j)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}

/// SHA-256 as FIPS 180-4 §6.2 defines it, written here (no library), checked against the FIPS
/// 180-4 example vectors and against Python's hashlib on random inputs.
public struct SHA256 {
    private var h0: UInt32 = 0x6a09_e667, h1: UInt32 = 0xbb67_ae85, h2: UInt32 = 0x3c6e_f372, h3: UInt32 = 0xa54f_f53a
    private var h4: UInt32 = 0x510e_527f, h5: UInt32 = 0x9b05_688c, h6: UInt32 = 0x1f83_d9ab, h7: UInt32 = 0x5be0_cd19
    /// Bytes of an incomplete block, waiting for more input.
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var buffered = 0
    private var length: UInt64 = 0

    public init() {}

    public mutating func update(_ data: UnsafeRawBufferPointer) {
        guard var p = data.baseAddress, data.count > 0 else { return }
        var remaining = data.count
        length &+= UInt64(remaining)
        if buffered > 0 {
            let take = min(64 - buffered, remaining)
            let start = buffered
            withUnsafeMutableBytes(of: &buffer) { b in b.baseAddress!.advanced(by: start).copyMemory(from: p, byteCount: take) }
            buffered += take
            p += take
            remaining -= take
            if buffered < 64 { return }
            var copy = buffer
            withUnsafeBytes(of: &copy) { compress($0.baseAddress!, blocks: 1) }
            buffered = 0
        }
        let blocks = remaining / 64
        if blocks > 0 {
            compress(p, blocks: blocks)
            p += blocks * 64
            remaining -= blocks * 64
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &buffer) { b in b.baseAddress!.copyMemory(from: p, byteCount: remaining) }
            buffered = remaining
        }
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public mutating func update(_ digest: SHA256Digest) {
        var words = (digest.w0.bigEndian, digest.w1.bigEndian, digest.w2.bigEndian, digest.w3.bigEndian)
        withUnsafeBytes(of: &words) { update($0) }
    }

    public mutating func update(byte: UInt8) {
        var b = byte
        withUnsafeBytes(of: &b) { update($0) }
    }

    /// Pads (FIPS 180-4 §5.1.1) and returns the digest.
    public mutating func finalize() -> SHA256Digest {
        let bitLength = length &* 8
        var pad = [UInt8](repeating: 0, count: buffered < 56 ? 56 - buffered : 120 - buffered)
        pad[0] = 0x80
        for i in 0..<8 { pad.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(56 - 8 * i))) }
        update(pad)
        return SHA256Digest(w0: UInt64(h0) << 32 | UInt64(h1), w1: UInt64(h2) << 32 | UInt64(h3),
                            w2: UInt64(h4) << 32 | UInt64(h5), w3: UInt64(h6) << 32 | UInt64(h7))
    }

    public static func hash(_ bytes: [UInt8]) -> SHA256Digest {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }

    public static func hash(_ data: UnsafeRawBufferPointer) -> SHA256Digest {
        var h = SHA256()
        h.update(data)
        return h.finalize()
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// FIPS 180-4 §6.2.2 over `blocks` consecutive 64-byte blocks at `p`.
    private mutating func compress(_ p: UnsafeRawPointer, blocks: Int) {
        SHA256.k.withUnsafeBufferPointer { kp in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                var a0 = h0, b0 = h1, c0 = h2, d0 = h3, e0 = h4, f0 = h5, g0 = h6, hh0 = h7
                for block in 0..<blocks {
                    let base = p + block * 64
                    for t in 0..<16 { w[t] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self)) }
                    for t in 16..<64 {
                        let x = w[t - 15], y = w[t - 2]
                        let s0 = SHA256.rotr(x, 7) ^ SHA256.rotr(x, 18) ^ (x >> 3)
                        let s1 = SHA256.rotr(y, 17) ^ SHA256.rotr(y, 19) ^ (y >> 10)
                        w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                    }
                    var a = a0, b = b0, c = c0, d = d0, e = e0, f = f0, g = g0, h = hh0
                    for t in 0..<64 {
                        let s1 = SHA256.rotr(e, 6) ^ SHA256.rotr(e, 11) ^ SHA256.rotr(e, 25)
                        let ch = (e & f) ^ (~e & g)
                        let t1 = h &+ s1 &+ ch &+ kp[t] &+ w[t]
                        let s0 = SHA256.rotr(a, 2) ^ SHA256.rotr(a, 13) ^ SHA256.rotr(a, 22)
                        let maj = (a & b) ^ (a & c) ^ (b & c)
                        let t2 = s0 &+ maj
                        h = g
                        g = f
                        f = e
                        e = d &+ t1
                        d = c
                        c = b
                        b = a
                        a = t1 &+ t2
                    }
                    a0 &+= a; b0 &+= b; c0 &+= c; d0 &+= d
                    e0 &+= e; f0 &+= f; g0 &+= g; hh0 &+= h
                }
                h0 = a0; h1 = b0; h2 = c0; h3 = d0; h4 = e0; h5 = f0; h6 = g0; h7 = hh0
            }
        }
    }
}
