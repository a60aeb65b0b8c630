import Testing
@testable import VectorService
@Test func placeholder() { #expect(true) }
