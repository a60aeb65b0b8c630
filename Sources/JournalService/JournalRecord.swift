/// One event as a `RecordLog` record: `[u64 seq LE][32-byte chain hash][32-byte leaf hash][canonical
/// JSON of the event]`. The hashes are stored so recovery rebuilds the chain head and the Merkle
/// tree without rehashing; `GET /v1/verify` recomputes both from the canonical bytes and compares.
struct JournalRecord {
    static let headerBytes = 8 + 32 + 32

    let seq: Int
    let chainHash: SHA256Digest
    let leafHash: SHA256Digest
    /// The canonical event bytes (a slice of the record).
    let canonical: UnsafeRawBufferPointer

    static func encode(seq: Int, chainHash: SHA256Digest, leafHash: SHA256Digest, canonical: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerBytes + canonical.count)
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: UInt64(seq) >> UInt64(shift))) }
        chainHash.append(to: &out)
        leafHash.append(to: &out)
        out.append(contentsOf: canonical)
        return out
    }

    /// nil when the payload is too short to be a record.
    init?(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > JournalRecord.headerBytes else { return nil }
        seq = Int(truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        chainHash = JournalRecord.digest(raw, at: 8)
        leafHash = JournalRecord.digest(raw, at: 40)
        canonical = UnsafeRawBufferPointer(rebasing: raw[JournalRecord.headerBytes...])
    }

    private static func digest(_ raw: UnsafeRawBufferPointer, at offset: Int) -> SHA256Digest {
        func word(_ k: Int) -> UInt64 { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 8 * k, as: UInt64.self)) }
        return SHA256Digest(w0: word(0), w1: word(1), w2: word(2), w3: word(3))
    }

    /// hash = SHA-256(previous hash ‖ canonical event) — the chain link (SPEC §6).
    static func chainHash(previous: SHA256Digest, canonical: UnsafeRawBufferPointer) -> SHA256Digest {
        var h = SHA256()
        h.update(previous)
        h.update(canonical)
        return h.finalize()
    }
}
