import Foundation
import Testing
@testable import JournalService

/// Against the public RFC 6962 / RFC 9162 test data of transparency-dev/merkle, used as data
/// (Tests/Fixtures/merkle, imported by its committed script).
@Suite struct MerkleTreeTests {
    struct Roots: Decodable {
        let leaves_hex: [String]
        let roots_hex: [String]
    }

    struct Cases<Case: Decodable>: Decodable {
        let cases: [Case]
    }

    struct InclusionCase: Decodable {
        let name: String
        let leafIdx: UInt64
        let treeSize: UInt64
        let root: String?
        let leafHash: String?
        let proof: [String]?
        let wantErr: Bool
    }

    struct ConsistencyCase: Decodable {
        let name: String
        let size1: UInt64
        let size2: UInt64
        let root1: String?
        let root2: String?
        let proof: [String]?
        let wantErr: Bool
    }

    static func bytes(hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map { i in
            let start = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    /// A base64 hash as a digest; anything not 32 bytes (the "garbage" cases) as nil.
    static func digest(_ base64: String?) -> SHA256Digest? {
        guard let base64, let data = Data(base64Encoded: base64) else { return nil }
        return SHA256Digest(bytes: [UInt8](data))
    }

    func referenceTree() throws -> (MerkleTree, Roots) {
        let roots = try JSONDecoder().decode(Roots.self, from: try fixture("merkle-roots.json"))
        var tree = MerkleTree()
        for leaf in roots.leaves_hex { tree.append(leaf: MerkleTree.leafHash(Self.bytes(hex: leaf))) }
        return (tree, roots)
    }

    @Test func rootsOfSizesZeroToEight() throws {
        let (tree, roots) = try referenceTree()
        #expect(roots.roots_hex.count == 9)
        for size in 0...8 { #expect(tree.root(size: size).hex == roots.roots_hex[size], "size \(size)") }
        #expect(MerkleTree.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // The parallel verifier's root agrees for every size.
        let leaves = (0..<8).map { tree.leaf($0) }
        for size in 0...8 { #expect(MerkleTree.root(ofLeaves: Array(leaves[0..<size]), threads: 2) == tree.root(size: size)) }
    }

    @Test func inclusionCasesOfTheRFCTestData() throws {
        let cases = try JSONDecoder().decode(Cases<InclusionCase>.self, from: try fixture("merkle-inclusion.json")).cases
        #expect(cases.count > 90)
        var checked = 0
        for c in cases {
            let proof = (c.proof ?? []).map(Self.digest)
            guard let root = Self.digest(c.root), let leaf = Self.digest(c.leafHash), !proof.contains(where: { $0 == nil }) else {
                #expect(c.wantErr, "\(c.name): malformed hashes but expected to verify")
                continue
            }
            let ok = MerkleTree.verifyInclusion(index: c.leafIdx, size: c.treeSize, leaf: leaf, proof: proof.map { $0! }, root: root)
            #expect(ok == !c.wantErr, "\(c.name)")
            checked += 1
        }
        #expect(checked >= 70)
    }

    @Test func consistencyCasesOfTheRFCTestData() throws {
        let cases = try JSONDecoder().decode(Cases<ConsistencyCase>.self, from: try fixture("merkle-consistency.json")).cases
        #expect(cases.count > 90)
        for c in cases {
            let proof = (c.proof ?? []).map(Self.digest)
            guard let root1 = Self.digest(c.root1), let root2 = Self.digest(c.root2), !proof.contains(where: { $0 == nil }) else {
                // Roots that are not SHA-256 hashes ("don't care") can only pass as equal trees.
                #expect(c.wantErr == !(c.size1 == c.size2 && proof.isEmpty && c.root1 == c.root2), "\(c.name)")
                continue
            }
            let ok = MerkleTree.verifyConsistency(size1: c.size1, size2: c.size2, root1: root1, root2: root2, proof: proof.map { $0! })
            #expect(ok == !c.wantErr, "\(c.name)")
        }
    }

    /// The proofs we serve equal the reference's happy-path proofs, and verify.
    @Test func servedProofsEqualTheReferenceProofs() throws {
        let (tree, roots) = try referenceTree()
        let inclusion = try JSONDecoder().decode(Cases<InclusionCase>.self, from: try fixture("merkle-inclusion.json")).cases
        var compared = 0
        for c in inclusion where c.name.hasSuffix("happy-path.json") {
            let served = tree.inclusionProof(index: Int(c.leafIdx), size: Int(c.treeSize))
            #expect(served == (c.proof ?? []).map { Self.digest($0)! }, "\(c.name)")
            compared += 1
        }
        let consistency = try JSONDecoder().decode(Cases<ConsistencyCase>.self, from: try fixture("merkle-consistency.json")).cases
        for c in consistency where c.name.hasSuffix("happy-path.json") && c.size1 >= 1 {
            let served = tree.consistencyProof(from: Int(c.size1), to: Int(c.size2))
            #expect(served == (c.proof ?? []).map { Self.digest($0)! }, "\(c.name)")
            compared += 1
        }
        #expect(compared >= 8)
        // Every (index, size) and (m, n) over the reference leaves verifies against the reference roots.
        for n in 1...8 {
            let root = SHA256Digest(hex: roots.roots_hex[n])!
            for m in 0..<n {
                #expect(MerkleTree.verifyInclusion(index: UInt64(m), size: UInt64(n), leaf: tree.leaf(m), proof: tree.inclusionProof(index: m, size: n), root: root))
            }
            for m in 1...n {
                let root1 = SHA256Digest(hex: roots.roots_hex[m])!
                #expect(MerkleTree.verifyConsistency(size1: UInt64(m), size2: UInt64(n), root1: root1, root2: root, proof: tree.consistencyProof(from: m, to: n)))
            }
        }
    }
}
