/// An open-addressing hash set of worker indices whose keys live in the roster itself (the id, the
/// name, the phone, the e-mail), so a 500k-worker table costs 4 bytes a slot and no key copies.
/// Slots hold `index + 1`; 0 is empty. Load factor ≤ 0.7, linear probing; a table that was sized
/// small grows (its keys are re-hashed through the caller's `rehash`).
struct RosterKeyTable: Sendable {
    private var slots: [UInt32]
    private(set) var count = 0

    init(expectedCount: Int) {
        slots = Array(repeating: 0, count: max(8, expectedCount * 10 / 7 + 1))
    }

    var memoryBytes: Int { slots.count * MemoryLayout<UInt32>.stride }

    /// Inserts `index` unless a slot already holds a worker with the same key; returns that
    /// worker's index in that case (the table keeps the first).
    mutating func insert(_ index: Int, hash: UInt64, sameKey: (Int) -> Bool, rehash: (Int) -> UInt64) -> Int? {
        var slot = home(hash)
        while slots[slot] != 0 {
            let other = Int(slots[slot] - 1)
            if sameKey(other) { return other }
            slot += 1
            if slot == slots.count { slot = 0 }
        }
        slots[slot] = UInt32(index + 1)
        count += 1
        if count * 10 > slots.count * 7 { grow(rehash) }
        return nil
    }

    private mutating func grow(_ rehash: (Int) -> UInt64) {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        for entry in old where entry != 0 {
            var slot = home(rehash(Int(entry - 1)))
            while slots[slot] != 0 {
                slot += 1
                if slot == slots.count { slot = 0 }
            }
            slots[slot] = entry
        }
    }

    /// The first worker whose key `matches`, among those with this hash's probe sequence.
    func find(hash: UInt64, matches: (Int) -> Bool) -> Int? {
        var slot = home(hash)
        while slots[slot] != 0 {
            let index = Int(slots[slot] - 1)
            if matches(index) { return index }
            slot += 1
            if slot == slots.count { slot = 0 }
        }
        return nil
    }

    private func home(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(slots.count)).high)
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = ByteHasher()
        for byte in bytes { hasher.add(byte) }
        return hasher.value
    }

    static func hashFoldingCase(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = ByteHasher()
        for byte in bytes { hasher.add(TextScan.lower(byte)) }
        return hasher.value
    }

    /// SplitMix64's finalizer, so the high bits (used for the slot) are spread.
    static func mix(_ input: UInt64) -> UInt64 {
        let a = (input ^ (input >> 30)) &* 0xbf58_476d_1ce4_e5b9
        let b = (a ^ (a >> 27)) &* 0x94d0_49bb_1331_11eb
        return b ^ (b >> 31)
    }
}

/// FNV-1a fed a byte at a time (keys assembled from several parts hash without being copied).
struct ByteHasher {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always) mutating func add(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    var value: UInt64 { RosterKeyTable.mix(state) }
}
