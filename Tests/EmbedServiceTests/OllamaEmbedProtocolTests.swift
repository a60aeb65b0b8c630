import Foundation
import Testing
@testable import EmbedService

@Suite struct OllamaEmbedProtocolTests {
    @Test func requestEncodesOllamasFieldNames() throws {
        let data = try JSONEncoder().encode(OllamaEmbedRequest(model: "nomic-embed-text", input: ["a", "b"]))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(json.keys) == ["model", "input"])
    }

    @Test func realReplyDecodesIgnoringTimings() throws {
        let reply = #"{"model":"all-minilm","embeddings":[[0.010071029,-0.0017594862]],"total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}"#
        let decoded = try JSONDecoder().decode(OllamaEmbedResponse.self, from: Data(reply.utf8))
        #expect(decoded == OllamaEmbedResponse(model: "all-minilm", embeddings: [[0.010071029, -0.0017594862]]))
        let error = try JSONDecoder().decode(OllamaErrorReply.self, from: Data(#"{"error":"model not found"}"#.utf8))
        #expect(error.error == "model not found")
    }
}
