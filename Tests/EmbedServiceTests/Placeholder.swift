import Testing
@testable import EmbedService
@Test func placeholder() { #expect(true) }
