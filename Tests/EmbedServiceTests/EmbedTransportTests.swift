import Testing
@testable import EmbedService

@Suite struct EmbedTransportTests {
    @Test func excerptIsOneShortPrintableLine() {
        #expect(ProviderReply.excerpt([]) == "(empty body)")
        #expect(ProviderReply.excerpt(Array("line one\r\nline\ttwo".utf8)) == "line one  line two")
        let long = ProviderReply.excerpt(Array(repeating: UInt8(ascii: "x"), count: 1000))
        #expect(long.count == ProviderReply.excerptLength + 1)
        #expect(long.hasSuffix("…"))
        #expect(ProviderReply.excerpt([0xFF, 0x41]) == "\u{FFFD}A")
    }

    @Test func statusErrorPrefersTheProvidersOwnMessage() {
        let reply = EmbedTransportReply(status: 500, body: Array("raw".utf8))
        #expect(ProviderReply.statusError(reply, provider: "p", message: "said so") == .providerFailed(provider: "p", message: "HTTP 500: said so"))
        #expect(ProviderReply.statusError(reply, provider: "p", message: nil) == .providerFailed(provider: "p", message: "HTTP 500: raw"))
    }
}
