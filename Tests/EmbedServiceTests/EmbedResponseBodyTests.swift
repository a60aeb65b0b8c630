import Foundation
import Testing
@testable import EmbedService

@Suite struct EmbedResponseBodyTests {
    private func result(_ texts: [String], model: String = "hash-384") -> EmbedResult {
        let embedder = HashEmbedder()
        let embeddings = texts.map { EmbeddedVector(embedder.embed($0)) }
        return EmbedResult(model: model, dims: 384, embeddings: embeddings)
    }

    private func floats(_ value: Any?) -> [Float]? {
        (value as? [NSNumber])?.map { Float($0.doubleValue) }
    }

    @Test func embedBodyHasModelDimsAndVectorsInOrder() throws {
        let result = result(["forklift operator", "Toledo", "forklift operator"])
        let json = try #require(try parseJSON(EmbedResponseBody.embed(result)) as? [String: Any])
        #expect(Set(json.keys) == ["model", "dims", "vectors"])
        #expect(json["model"] as? String == "hash-384")
        #expect(json["dims"] as? Int == 384)
        let vectors = try #require(json["vectors"] as? [Any])
        #expect(vectors.map(floats) == result.vectors)
    }

    @Test func openAIBodyHasOpenAIsExactShape() throws {
        let result = result(["a b c", "d"])
        let body = EmbedResponseBody.openAI(result, for: EmbedRequest(texts: ["a b c", "d"]))
        let json = try #require(try parseJSON(body) as? [String: Any])
        #expect(Set(json.keys) == ["object", "data", "model", "usage"])
        #expect(json["object"] as? String == "list")
        #expect(json["model"] as? String == "hash-384")
        let usage = try #require(json["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 4)
        #expect(usage["total_tokens"] as? Int == 4)
        let data = try #require(json["data"] as? [[String: Any]])
        #expect(data.count == 2)
        for (i, item) in data.enumerated() {
            #expect(Set(item.keys) == ["object", "index", "embedding"])
            #expect(item["object"] as? String == "embedding")
            #expect(item["index"] as? Int == i)
            #expect(floats(item["embedding"]) == result.vectors[i])
        }
        // The body decodes with the provider-side wire type too, as OpenAI's own replies do.
        let decoded = try JSONDecoder().decode(OpenAIEmbeddingsResponse.self, from: Data(body))
        #expect(decoded.data.map { $0.embedding.map(Float.init) } == result.vectors)
    }

    @Test func base64EncodingIsLittleEndianFloat32() throws {
        let result = result(["forklift"])
        let body = EmbedResponseBody.openAI(result, encoding: .base64, promptTokens: 1)
        let json = try #require(try parseJSON(body) as? [String: Any])
        let item = try #require((json["data"] as? [[String: Any]])?.first)
        let encoded = try #require(item["embedding"] as? String)
        let data = try #require(Data(base64Encoded: encoded))
        #expect(data.count == 384 * 4)
        let bytes = [UInt8](data)
        let decoded = stride(from: 0, to: bytes.count, by: 4).map { (offset: Int) -> Float in
            var bits: UInt32 = 0
            for i in 0..<4 { bits |= UInt32(bytes[offset + i]) << UInt32(8 * i) }
            return Float(bitPattern: bits)
        }
        #expect(decoded == result.vectors[0])
    }

    @Test func base64MatchesFoundationForEveryTailLength() {
        for count in 0..<10 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            var ours: [UInt8] = []
            Base64.append(bytes, to: &ours)
            #expect(String(decoding: ours, as: UTF8.self) == Data(bytes).base64EncodedString())
        }
    }

    @Test func modelNamesAreEscaped() throws {
        let result = result(["a"], model: "we\"ird\\model\n\u{1}")
        let json = try #require(try parseJSON(EmbedResponseBody.embed(result)) as? [String: Any])
        #expect(json["model"] as? String == "we\"ird\\model\n\u{1}")
    }
}
