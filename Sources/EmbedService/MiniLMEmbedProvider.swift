import Dispatch
import MiniLMKernels
import Synchronization

/// `EMBEDD_PROVIDER=minilm`: the sentence-transformers model all-MiniLM-L6-v2, run in process
/// from the files in `EMBEDD_MODEL_DIR` (`config.json`, `1_Pooling/config.json`,
/// `sentence_bert_config.json`, `vocab.txt`, `model.safetensors`). Semantic, 384 dimensions.
///
/// Texts are tokenised on the caller's task; the encoder runs on one queue of its own (so it never
/// occupies Swift's cooperative threads) and uses `threads` threads per product. Calls that arrive
/// while the encoder is busy are merged into its next batch.
public final class MiniLMEmbedProvider: EmbeddingProvider {
    public static let modelName = "all-minilm-l6-v2"
    public static let files = ["config.json", "1_Pooling/config.json", "vocab.txt", "model.safetensors"]

    public let config: MiniLMModelConfig
    public let tokenizer: WordPieceTokenizer
    let encoder: MiniLMEncoder

    private struct Job: Sendable {
        let sequences: [[Int32]]
        let continuation: CheckedContinuation<[[Float]], Never>
    }

    private let queue = DispatchQueue(label: "embedd.minilm")
    private let pending = Mutex<(jobs: [Job], running: Bool)>(([], false))

    /// Loads and checks every file; the first problem is thrown naming its file.
    public convenience init(directory: String, threads: Int) throws(MiniLMModelError) {
        try self.init(directory: directory, threads: threads, kernels: EncoderKernelChoice.best)
    }

    init(directory: String, threads: Int, kernels: any EncoderKernelSet.Type) throws(MiniLMModelError) {
        let config = try MiniLMModelConfig(directory: directory)
        let tokenizer = try WordPieceTokenizer(vocabularyFile: directory + "/vocab.txt", maxLength: config.maxSequenceLength)
        guard tokenizer.vocabularySize == config.vocabularySize else {
            throw MiniLMModelError(
                directory + "/vocab.txt", "\(tokenizer.vocabularySize) tokens, config.json says vocab_size \(config.vocabularySize)")
        }
        let file = try SafeTensors(path: directory + "/model.safetensors")
        let weights = try MiniLMWeights(file: file, config: config)
        self.config = config
        self.tokenizer = tokenizer
        encoder = MiniLMEncoder(weights: weights, kernels: kernels, threads: threads)
    }

    public var name: String { "minilm" }
    public var defaultModel: String { Self.modelName }
    public var knownModels: [String] { [Self.modelName] }
    public var dims: Int { config.hidden }
    /// `avx2-fma` or `portable`: which kernels this CPU runs.
    public var kernelName: String { encoder.kernels.name }
    public var weightBytes: Int { encoder.weights.byteCount }

    public func supports(model: String) -> Bool { model == Self.modelName }

    public func embed(_ texts: [String], model: String) async throws(EmbedError) -> [[Float]] {
        guard supports(model: model) else {
            throw .badRequest("unknown model \"\(model)\" for embedding provider minilm; known: \"\(Self.modelName)\"")
        }
        let sequences = texts.map(tokenizer.encode)
        return await withCheckedContinuation { continuation in
            let start = pending.withLock { state in
                state.jobs.append(Job(sequences: sequences, continuation: continuation))
                if state.running { return false }
                state.running = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
    }

    /// Embeds on the calling thread (benchmarks and tests); not concurrently with `embed`.
    public func embedNow(_ texts: [String]) -> [[Float]] {
        encoder.encode(texts.map(tokenizer.encode))
    }

    private func drain() {
        while true {
            let jobs = pending.withLock { state in
                let jobs = state.jobs
                state.jobs = []
                if jobs.isEmpty { state.running = false }
                return jobs
            }
            if jobs.isEmpty { return }
            let vectors = encoder.encode(jobs.flatMap(\.sequences))
            var next = 0
            for job in jobs {
                job.continuation.resume(returning: Array(vectors[next..<(next + job.sequences.count)]))
                next += job.sequences.count
            }
        }
    }
}
