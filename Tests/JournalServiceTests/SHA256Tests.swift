import Foundation
import Testing
@testable import JournalService

@Suite struct SHA256Tests {
    /// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf").
    @Test func fips180_4Vectors() {
        #expect(SHA256.hash(Array("".utf8)).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hex
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(SHA256.hash(Array(m896.utf8)).hex == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingInPiecesEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for split in [0, 1, 55, 56, 63, 64, 65, 127, 500] {
            var h = SHA256()
            h.update(Array(data[..<split]))
            h.update(Array(data[split...]))
            #expect(h.finalize() == SHA256.hash(data))
        }
    }

    @Test func digestHexRoundTrips() throws {
        let d = SHA256.hash(Array("abc".utf8))
        #expect(SHA256Digest(hex: d.hex) == d)
        #expect(SHA256Digest(bytes: d.bytes) == d)
        #expect(SHA256Digest(hex: "xyz") == nil)
    }

    /// 1,000 random inputs of random lengths (0–4,099 bytes) against Python's hashlib.
    @Test func randomInputsMatchHashlib() throws {
        var generator = SystemRandomNumberGenerator()
        let inputs: [[UInt8]] = (0..<1000).map { _ in
            (0..<Int.random(in: 0...4099, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        let expected = try PythonTool.run("sha256_hex.py", input: inputs.map(hex).joined(separator: "\n") + "\n")
            .split(separator: "\n").map(String.init)
        #expect(expected.count == 1000)
        for (input, want) in zip(inputs, expected) {
            #expect(SHA256.hash(input).hex == want, "length \(input.count)")
        }
    }
}
