import Testing
@testable import ReplayService

@Test func placeholderUntilTheServiceLands() { #expect(Bool(true)) }
