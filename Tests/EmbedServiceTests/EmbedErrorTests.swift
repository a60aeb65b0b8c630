import Testing
@testable import EmbedService

@Suite struct EmbedErrorTests {
    @Test func eachCaseHasItsStatusAndCode() {
        let cases: [(EmbedError, Int, String)] = [
            (.badRequest("x"), 400, "bad_request"),
            (.tooLarge("x"), 413, "payload_too_large"),
            (.providerFailed(provider: "ollama", message: "x"), 502, "provider_failed"),
            (.providerUnavailable(provider: "ollama", message: "x"), 503, "provider_unavailable"),
            (.providerTimeout(provider: "ollama"), 504, "provider_timeout"),
        ]
        for (error, status, code) in cases {
            #expect(error.httpStatus == status)
            #expect(error.code == code)
        }
    }

    @Test func providerErrorsNameTheProvider() {
        #expect(EmbedError.providerFailed(provider: "openai", message: "HTTP 500: boom").message == "embedding provider openai failed: HTTP 500: boom")
        #expect(EmbedError.providerUnavailable(provider: "ollama", message: "connection refused").message == "embedding provider ollama is unreachable: connection refused")
        #expect(EmbedError.providerTimeout(provider: "ollama").message == "embedding provider ollama did not answer in time")
        #expect(EmbedError.badRequest("texts[1] is a number, not a string").message == "texts[1] is a number, not a string")
    }
}
