import Testing
@testable import GatewayService
@Test func placeholder() { #expect(true) }
