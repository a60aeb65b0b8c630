import Testing
@testable import LakehouseKit
@Test func defaultPorts() { #expect(Daemon.vectord.defaultPort == 4217) }
