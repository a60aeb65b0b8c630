import Foundation
import Testing
@testable import EmbedService

@Suite struct SafeTensorsTests {
    /// A safetensors file: the 8-byte header length, `header` verbatim, then `data`.
    private func file(header: String, data: [Float], headerLength: UInt64? = nil) throws -> String {
        let path = NSTemporaryDirectory() + "safetensors-\(UUID().uuidString)"
        var bytes = Data()
        withUnsafeBytes(of: (headerLength ?? UInt64(header.utf8.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header.utf8)
        for value in data { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    private func problem(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as MiniLMModelError {
            return error.problem
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func readsTensorsAndChecksTheirShape() throws {
        let path = try file(
            header: #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#,
            data: [1, 2, 3, 4, 5])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tensors = try SafeTensors(path: path)
        #expect(Array(try tensors.floats("a", shape: [2, 2])) == [1, 2, 3, 4])
        #expect(Array(try tensors.floats("b", shape: [1])) == [5])
        #expect(problem { _ = try tensors.floats("a", shape: [4]) } == "tensor a has shape [2, 2], expected [4]")
        #expect(problem { _ = try tensors.floats("c", shape: [1]) } == "missing tensor c")
    }

    @Test func headerClaimsAreCheckedAgainstTheFile() throws {
        let cases: [(header: String, data: [Float], headerLength: UInt64?, expected: String)] = [
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, [1], nil,
             "truncated or corrupt: tensor a claims bytes 0..<8 of a 4-byte data section"),
            (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, [1, 2], nil,
             "tensor a: shape [3] of F32 needs 12 bytes, the header gives 8"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, [1], 1_000_000,
             "truncated or corrupt: the header claims 1000000 bytes, the file has 66"),
            ("{not json", [], nil, "the header is not a JSON object"),
            (#"{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}"#, [1], nil, "tensor a: unknown dtype Q4"),
            (#"{"a":{"dtype":"F32","shape":[1]}}"#, [1], nil, "tensor a: expected {dtype, shape, data_offsets: [begin, end]}"),
            (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, [1], nil, "tensor a: bad shape [-1]"),
        ]
        for testCase in cases {
            let path = try file(header: testCase.header, data: testCase.data, headerLength: testCase.headerLength)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(problem { _ = try SafeTensors(path: path) } == testCase.expected, "\(testCase.header)")
        }
    }

    @Test func shortAndMissingFilesAreNamed() throws {
        let path = NSTemporaryDirectory() + "safetensors-\(UUID().uuidString)"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(problem { _ = try SafeTensors(path: path) } == "truncated: 3 bytes, shorter than the 8-byte header length")
        #expect(problem { _ = try SafeTensors(path: path + "-absent") }?.hasPrefix("cannot open") == true)
    }

    @Test func onlyF32IsReadAsFloats() throws {
        let path = try file(header: #"{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#, data: [1])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tensors = try SafeTensors(path: path)
        #expect(problem { _ = try tensors.floats("a", shape: [1]) } == "tensor a is I32; only F32 is supported")
    }
}
