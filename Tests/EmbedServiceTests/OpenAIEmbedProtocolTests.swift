import Foundation
import Testing
@testable import EmbedService

@Suite struct OpenAIEmbedProtocolTests {
    @Test func requestEncodesOpenAIsFieldNames() throws {
        let data = try JSONEncoder().encode(OpenAIEmbeddingsRequest(model: "text-embedding-3-small", input: ["a"], dimensions: 256))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(json.keys) == ["model", "input", "encoding_format", "dimensions"])
        #expect(json["encoding_format"] as? String == "float")
    }

    @Test func realReplyAndErrorDecode() throws {
        let reply = #"""
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[-0.006929283495992422,-0.005336422007530928]}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":5,"total_tokens":5}}
            """#
        let decoded = try JSONDecoder().decode(OpenAIEmbeddingsResponse.self, from: Data(reply.utf8))
        #expect(decoded.data.first?.index == 0)
        #expect(decoded.data.first?.embedding == [-0.006929283495992422, -0.005336422007530928])
        #expect(decoded.usage == OpenAIEmbeddingsResponse.Usage(promptTokens: 5, totalTokens: 5))
        let error = #"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
        #expect(try JSONDecoder().decode(OpenAIErrorReply.self, from: Data(error.utf8)).error.message == "Rate limit reached")
    }
}
