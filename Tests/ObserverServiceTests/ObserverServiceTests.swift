import Testing
@testable import ObserverService

@Test func placeholderUntilTheServiceLands() { #expect(Bool(true)) }
