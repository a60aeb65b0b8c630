/// Why a MiniLM model directory cannot be used, as one line naming the file at fault. embedd prints
/// it and exits 2 (a bad model is bad configuration).
public struct MiniLMModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file at fault (or the directory, when it is missing).
    public let file: String
    public let problem: String

    init(_ file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
