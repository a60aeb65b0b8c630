/// The RFC 9162 §2.1 Merkle tree over the journal's events: leaf hash = SHA-256(0x00 ‖ entry),
/// node hash = SHA-256(0x01 ‖ left ‖ right), the root of an empty tree = SHA-256 of nothing.
///
/// Stored as the hashes of every complete, aligned subtree: `levels[0]` are the leaf hashes,
/// `levels[i][j]` covers leaves `j·2^i ..< (j+1)·2^i`. Any tree size's root, inclusion proof and
/// consistency proof is assembled from those (≈ 2 hashes per leaf of memory). Not thread-safe;
/// its owner serializes access.
public struct MerkleTree: Sendable {
    private(set) var levels: [[SHA256Digest]] = [[]]

    public init() {}

    public var size: Int { levels[0].count }

    public static func leafHash(_ entry: UnsafeRawBufferPointer) -> SHA256Digest {
        var h = SHA256()
        h.update(byte: 0x00)
        h.update(entry)
        return h.finalize()
    }

    public static func leafHash(_ entry: [UInt8]) -> SHA256Digest { entry.withUnsafeBytes { leafHash($0) } }

    public static func nodeHash(_ left: SHA256Digest, _ right: SHA256Digest) -> SHA256Digest {
        var h = SHA256()
        h.update(byte: 0x01)
        h.update(left)
        h.update(right)
        return h.finalize()
    }

    public static let emptyRoot = SHA256.hash([UInt8]())

    /// Adds one leaf (by its leaf hash) and every complete subtree it closes.
    public mutating func append(leaf: SHA256Digest) {
        levels[0].append(leaf)
        var level = 0
        while levels[level].count % 2 == 0 {
            let count = levels[level].count
            let parent = MerkleTree.nodeHash(levels[level][count - 2], levels[level][count - 1])
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(parent)
            level += 1
        }
    }

    public func leaf(_ index: Int) -> SHA256Digest { levels[0][index] }

    /// MTH(D[0:size]) (RFC 9162 §2.1.1). `size` ≤ `self.size`.
    public func root(size: Int) -> SHA256Digest {
        size == 0 ? MerkleTree.emptyRoot : subtree(start: 0, count: size)
    }

    /// The hash of leaves `start ..< start+count`, where `start` is a multiple of the largest power
    /// of two below `count` (true of every range the RFC's recursions visit).
    func subtree(start: Int, count: Int) -> SHA256Digest {
        if count & (count - 1) == 0 {
            let level = count.trailingZeroBitCount
            return levels[level][start >> level]
        }
        let k = MerkleTree.largestPowerOfTwo(below: count)
        return MerkleTree.nodeHash(subtree(start: start, count: k), subtree(start: start + k, count: count - k))
    }

    /// The largest power of two smaller than `n` (n > 1).
    static func largestPowerOfTwo(below n: Int) -> Int { 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount) }

    /// PATH(m, D[0:size]) (RFC 9162 §2.1.3.1), leaf-nearest hash first. Requires m < size ≤ self.size.
    public func inclusionProof(index m: Int, size: Int) -> [SHA256Digest] {
        var proof: [SHA256Digest] = []
        path(m, start: 0, count: size, into: &proof)
        return proof
    }

    private func path(_ m: Int, start: Int, count: Int, into proof: inout [SHA256Digest]) {
        guard count > 1 else { return }
        let k = MerkleTree.largestPowerOfTwo(below: count)
        if m < k {
            path(m, start: start, count: k, into: &proof)
            proof.append(subtree(start: start + k, count: count - k))
        } else {
            path(m - k, start: start + k, count: count - k, into: &proof)
            proof.append(subtree(start: start, count: k))
        }
    }

    /// PROOF(m, D[0:n]) (RFC 9162 §2.1.4.1). Requires 0 < m ≤ n ≤ self.size; empty when m == n.
    public func consistencyProof(from m: Int, to n: Int) -> [SHA256Digest] {
        var proof: [SHA256Digest] = []
        subproof(m, start: 0, count: n, complete: true, into: &proof)
        return proof
    }

    private func subproof(_ m: Int, start: Int, count n: Int, complete b: Bool, into proof: inout [SHA256Digest]) {
        if m == n {
            if !b { proof.append(subtree(start: start, count: n)) }
            return
        }
        let k = MerkleTree.largestPowerOfTwo(below: n)
        if m <= k {
            subproof(m, start: start, count: k, complete: b, into: &proof)
            proof.append(subtree(start: start + k, count: n - k))
        } else {
            subproof(m - k, start: start + k, count: n - k, complete: false, into: &proof)
            proof.append(subtree(start: start, count: k))
        }
    }

    // MARK: - Verification (what a client holding a checkpoint runs)

    /// RFC 9162 §2.1.3.2: does `proof` show leaf `index` (hash `leaf`) in the tree of `size` with `root`?
    public static func verifyInclusion(index: UInt64, size: UInt64, leaf: SHA256Digest, proof: [SHA256Digest], root: SHA256Digest) -> Bool {
        guard index < size else { return false }
        var fn = index, sn = size - 1
        var r = leaf
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2: does `proof` show the tree of `size2` (`root2`) extends that of `size1` (`root1`)?
    public static func verifyConsistency(size1: UInt64, size2: UInt64, root1: SHA256Digest, root2: SHA256Digest, proof: [SHA256Digest]) -> Bool {
        guard size1 <= size2 else { return false }
        if size1 == size2 { return proof.isEmpty && root1 == root2 }
        // An empty tree is consistent with anything, but there is nothing to prove: RFC 9162
        // defines proofs for 0 < size1 only, so a proof from 0 is refused like the reference does.
        guard size1 > 0, !proof.isEmpty else { return false }
        var path = proof
        if size1 & (size1 - 1) == 0 { path.insert(root1, at: 0) }
        var fn = size1 - 1, sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == root1 && sr == root2 && sn == 0
    }
}
