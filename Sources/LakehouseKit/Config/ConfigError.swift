/// A configuration problem, phrased as the one line an operator sees before the daemon exits 2.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
