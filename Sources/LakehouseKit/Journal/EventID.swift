import Synchronization

/// Ids for journal events and fill runs: version-4-shaped UUIDs in lower case, like
/// `UUID().uuidString.lowercased()`, made without a system call. Foundation's `UUID()` opens and
/// reads `/dev/urandom` every time on Linux, which showed in the gateway's profile (four per fill).
/// Each half is a per-process random seed (getrandom(2), once) plus a counter, mixed by splitmix64
/// (a bijection, so a process never repeats an id); two processes share one only if their random
/// seeds collide.
public enum EventID {
    public static func make() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var high = mix(seeds.0 &+ n &* 0x9E37_79B9_7F4A_7C15)
        var low = mix(seeds.1 &+ n &* 0xD1B5_4A32_D192_ED03)
        high = (high & ~0xF000) | 0x4000  // version 4 (bits 48–51 of the UUID)
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // variant 10
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { out in
            var i = 0
            func put(_ value: UInt64, _ nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    out[i] = hex[Int((value >> UInt64(shift)) & 0xF)]
                    i += 1
                }
            }
            func dash() {
                out[i] = UInt8(ascii: "-")
                i += 1
            }
            put(high >> 32, 8)
            dash()
            put(high >> 16, 4)
            dash()
            put(high, 4)
            dash()
            put(low >> 48, 4)
            dash()
            put(low, 12)
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
    private static let seeds: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()
    private static let counter = Atomic<UInt64>(0)
}
