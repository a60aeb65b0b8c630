/// The eleven daemons of the fleet, their default ports (SPEC §4) and how they are configured.
public enum Daemon: String, CaseIterable, Sendable {
    case gateway, embedd, vectord, matrixd, chatd, validatord, materializerd, replayd, observerd, journald, truthd

    /// Default loopback port from the SPEC §4 ports table.
    public var defaultPort: Int {
        switch self {
        case .gateway: 4200
        case .embedd: 4216
        case .vectord: 4217
        case .matrixd: 4218
        case .chatd: 4219
        case .validatord: 4220
        case .materializerd: 4221
        case .replayd: 4222
        case .observerd: 4223
        case .journald: 4224
        case .truthd: 4225
        }
    }

    /// `LAKEHOUSE_<DAEMON>_ADDR`: where the daemon listens, and where its peers reach it.
    public var addressVariable: String { "LAKEHOUSE_\(rawValue.uppercased())_ADDR" }
}
