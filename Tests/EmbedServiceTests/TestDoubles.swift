import Foundation
import Synchronization
@testable import EmbedService

/// A provider that records every call, optionally sleeps (to hold a flight open) or fails.
final class RecordingProvider: EmbeddingProvider {
    let name = "fake"
    let defaultModel = "fake-4"
    let knownModels = ["fake-4"]
    private let delay: Duration
    private let failure: Mutex<EmbedError?>
    private let calls = Mutex<[[String]]>([])

    init(delay: Duration = .zero, failure: EmbedError? = nil) {
        self.delay = delay
        self.failure = Mutex(failure)
    }

    func supports(model: String) -> Bool { model == defaultModel }

    func embed(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]] {
        calls.withLock { $0.append(texts) }
        if delay > .zero { try? await Task.sleep(for: delay) }
        if let failure = failure.withLock({ $0 }) { throw failure }
        return texts.map(Self.vector)
    }

    func setFailure(_ error: EmbedError?) { failure.withLock { $0 = error } }

    /// The texts of each call, in call order.
    var batches: [[String]] { calls.withLock { $0 } }
    var callCount: Int { calls.withLock { $0.count } }

    /// A vector that identifies its text: length, first byte, last byte, a constant.
    static func vector(_ text: String) -> [Float] {
        let bytes = Array(text.utf8)
        return [Float(bytes.count), Float(bytes.first ?? 0), Float(bytes.last ?? 0), 0.5]
    }
}

/// An in-memory transport: records each request and answers from a script.
final class FakeTransport: EmbedTransport {
    struct Call: Sendable {
        var url: String
        var headers: [String: String]
        var body: [UInt8]
        var timeout: Duration

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    }

    private let answer: @Sendable (Call) -> Result<EmbedTransportReply, EmbedTransportError>
    private let recorded = Mutex<[Call]>([])

    init(_ answer: @escaping @Sendable (Call) -> Result<EmbedTransportReply, EmbedTransportError>) {
        self.answer = answer
    }

    /// Always the same reply.
    convenience init(status: Int, body: String) {
        self.init { _ in .success(EmbedTransportReply(status: status, body: Array(body.utf8))) }
    }

    convenience init(error: EmbedTransportError) {
        self.init { _ in .failure(error) }
    }

    func post(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration)
        async throws(EmbedTransportError) -> EmbedTransportReply
    {
        let call = Call(
            url: url, headers: Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }), body: body,
            timeout: timeout)
        recorded.withLock { $0.append(call) }
        return try answer(call).get()
    }

    var calls: [Call] { recorded.withLock { $0 } }
}

/// Parses JSON bytes with Foundation's independent parser.
func parseJSON(_ bytes: [UInt8]) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0
    var na = 0.0
    var nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}

/// FNV-1a 64 over the little-endian bytes of the floats: a fingerprint that does not depend on the
/// process (unlike `Hasher`), for pinning vectors.
func fingerprint(_ vector: [Float]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for value in vector {
        let bits = value.bitPattern.littleEndian
        for shift in stride(from: 0, to: 32, by: 8) {
            hash = (hash ^ UInt64((bits >> UInt32(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3
        }
    }
    return hash
}

/// Polls until `condition` holds (tests use it to order concurrent requests without guessing sleeps).
func waitUntil(_ condition: () -> Bool) async {
    while !condition() { try? await Task.sleep(for: .milliseconds(1)) }
}
