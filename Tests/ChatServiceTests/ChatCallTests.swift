import LakehouseKit
import Testing
@testable import ChatService

@Suite struct ChatCallTests {
    let limits = ChatCall.Limits(maxMessages: 8, maxTokens: 1000)

    private func native(_ text: String) throws(ChatError) -> ChatCall { try ChatCall.decodeNative(Array(text.utf8), limits: limits) }
    private func openAI(_ text: String) throws(ChatError) -> ChatCall { try ChatCall.decodeOpenAI(Array(text.utf8), limits: limits) }

    @Test func nativeShapeDecodes() throws {
        let call = try native(#"{"provider":"local","model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}],"temperature":0.5,"max_tokens":100,"json":true,"stream":true}"#)
        #expect(call == ChatCall(provider: "local", model: "m", messages: [ChatMessage(role: "system", content: "s"), ChatMessage(role: "user", content: "u")],
                                 temperature: 0.5, maxTokens: 100, json: true, stream: true, includeUsage: false))
        // The shared ChatRequest type encodes to a body chatd accepts unchanged.
        let shared = ChatRequest(provider: "local", messages: [ChatMessage(role: "user", content: "x")], temperature: 0, maxTokens: 5, json: false)
        #expect(try ChatCall.decodeNative(try JSONCoding.encode(shared), limits: limits).maxTokens == 5)
    }

    @Test func openAIShapeDecodesWithItsOptions() throws {
        let call = try openAI(#"{"model":"gpt","messages":[{"role":"developer","content":"d"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"stream":true,"stream_options":{"include_usage":true},"response_format":{"type":"json_object"},"max_completion_tokens":7,"top_p":1,"user":"x"}"#)
        #expect(call.messages == [ChatMessage(role: "system", content: "d"), ChatMessage(role: "user", content: "ab")])
        #expect(call.json && call.stream && call.includeUsage && call.maxTokens == 7 && call.model == "gpt")
    }

    @Test func badInputNamesTheField() {
        let cases: [(String, Bool, String)] = [
            ("", false, "empty"),
            ("nope", false, "not valid JSON"),
            (#"{"messages":[{"role":"user","content":"x"}]} trailing"#, false, "not valid JSON"),
            (#"{"messages":[{"role":"user","content":"x"},{"role":"critic","content":"y"}]}"#, false, "messages[1].role"),
            (#"{"messages":[{"role":"user","content":["a"]}]}"#, false, "messages[0].content"),
            (#"{"messages":[{"role":"user","content":"x"}],"temperature":3}"#, true, "temperature"),
            (#"{"messages":[{"role":"user","content":"x"}],"max_tokens":1001}"#, true, "max_tokens"),
            (#"{"messages":[{"role":"user","content":"x"}],"max_completion_tokens":-1}"#, true, "max_completion_tokens"),
            (#"{"messages":[{"role":"user","content":"x"}],"provider":""}"#, true, "provider"),
            (#"{"messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":"yes"}}"#, true, "include_usage"),
            (#"{"messages":[{"role":"user","content":"x"}],"extra":1}"#, false, "unknown field 'extra'"),
            (#"{"messages":[1,2,3,4,5,6,7,8,9]}"#, false, "at most 8"),
        ]
        for (body, asOpenAI, mention) in cases {
            do {
                _ = asOpenAI ? try openAI(body) : try native(body)
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.message.contains(mention), "\(body): \(error.message)")
                #expect(ChatRoutes.apiError(error).status == .badRequest)
            }
        }
    }

    @Test func errorsMapToStatusesInOnePlace() {
        #expect(ChatRoutes.apiError(.unknownProvider("x", known: ["local"])).status == .notFound)
        #expect(ChatRoutes.apiError(.providerNotConfigured("kimi", variable: "CHATD_KIMI_API_KEY")).status == .badRequest)
        #expect(ChatRoutes.apiError(.providerRejected(provider: "kimi", status: 400, message: "bad")).status == .badGateway)
        let down = ChatRoutes.apiError(.allProvidersFailed(["kimi: timeout"], retryAfterSeconds: 3))
        #expect(down.status == .serviceUnavailable)
        #expect(down.headers.contains { $0.0 == "Retry-After" && $0.1 == "3" })
    }
}
