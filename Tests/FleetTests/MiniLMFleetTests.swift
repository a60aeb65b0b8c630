import Foundation
import Testing
import LakehouseKit

/// embedd with EMBEDD_PROVIDER=minilm as a real process: a broken model directory stops it with
/// exit 2 and one line naming the file; a good one serves both embedding routes.
@Suite(.serialized) struct MiniLMFleetTests {
    private func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "minilm-fleet-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts embedd on `modelDirectory` and returns its exit status and log lines once it exits.
    private func startExpectingExit(modelDirectory: String) async throws -> (status: Int32?, lines: [Substring]) {
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.embedd], environment: ["EMBEDD_PROVIDER": "minilm", "EMBEDD_MODEL_DIR": modelDirectory])
        let process = fleet.process(.embedd)
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        let status = process.isRunning ? nil : process.process?.terminationStatus
        _ = fleet.stop()
        return (status, process.log.split(separator: "\n"))
    }

    @Test func brokenModelFilesExitTwoWithOneLineNamingTheFile() async throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var missingTensor = TinyBertModel()
        missingTensor.tensors.removeAll { $0.name == "encoder.layer.0.output.dense.bias" }
        var lyingShape = TinyBertModel()
        lyingShape.lyingShapes["embeddings.position_embeddings.weight"] = [17, 32]
        var transposed = TinyBertModel()
        transposed.lyingShapes["encoder.layer.0.intermediate.dense.weight"] = [32, 64]
        var wrongConfig = TinyBertModel()
        wrongConfig.config["hidden_size"] = 48
        var wrongActivation = TinyBertModel()
        wrongActivation.config["hidden_act"] = "relu"
        var shortVocabulary = TinyBertModel()
        shortVocabulary.vocabularyLines.removeLast()

        let cases: [(name: String, model: TinyBertModel, damage: ((String) throws -> Void)?, expect: [String])] = [
            ("truncated", TinyBertModel(), { dir in
                let path = dir + "/model.safetensors"
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: path))
            }, ["model.safetensors", "truncated"]),
            ("header-cut", TinyBertModel(), { dir in
                let path = dir + "/model.safetensors"
                try Data(contentsOf: URL(fileURLWithPath: path)).prefix(200).write(to: URL(fileURLWithPath: path))
            }, ["model.safetensors", "truncated"]),
            ("lying-shape", lyingShape, nil, ["model.safetensors", "embeddings.position_embeddings.weight", "[17, 32]"]),
            ("transposed", transposed, nil, ["model.safetensors", "intermediate.dense.weight", "expected [64, 32]"]),
            ("missing-tensor", missingTensor, nil, ["model.safetensors", "missing tensor encoder.layer.0.output.dense.bias"]),
            ("wrong-config", wrongConfig, nil, ["config.json", "hidden_size 48"]),
            ("wrong-activation", wrongActivation, nil, ["config.json", "relu"]),
            ("config-not-json", TinyBertModel(), { dir in
                try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
            }, ["config.json", "not a JSON object"]),
            ("short-vocabulary", shortVocabulary, nil, ["vocab.txt", "7 tokens"]),
            ("no-pooling", TinyBertModel(), { dir in
                try FileManager.default.removeItem(atPath: dir + "/1_Pooling/config.json")
            }, ["1_Pooling/config.json", "missing"]),
        ]
        for testCase in cases {
            let dir = root + "/" + testCase.name
            try testCase.model.write(to: dir)
            try testCase.damage?(dir)
            let (status, lines) = try await startExpectingExit(modelDirectory: dir)
            #expect(status == 2, "\(testCase.name): exit status \(String(describing: status))")
            #expect(lines.count == 1, "\(testCase.name): \(lines)")
            let line = String(lines.first ?? "")
            #expect(line.contains("EMBEDD_MODEL_DIR"), "\(testCase.name): \(line)")
            for fragment in testCase.expect {
                #expect(line.contains(fragment), "\(testCase.name): \(line) lacks \(fragment)")
            }
        }

        let (status, lines) = try await startExpectingExit(modelDirectory: root + "/no-such-dir")
        #expect(status == 2)
        #expect(lines.count == 1 && lines[0].contains("EMBEDD_MODEL_DIR=\(root)/no-such-dir: no such directory"), "\(lines)")
    }

    @Test func aGoodModelServesBothRoutesWithTheModelName() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TinyBertModel().write(to: dir)
        let fleet = try Fleet()
        defer { fleet.removeData() }
        try fleet.start([.embedd], environment: ["EMBEDD_PROVIDER": "minilm", "EMBEDD_MODEL_DIR": dir, "EMBEDD_MAX_BATCH": "2"])
        #expect(await fleet.waitUntilReady(.embedd), "\(fleet.process(.embedd).log)")
        let embed = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["forklift driver","nurse","forklift driver"]}"#)
        #expect(embed.status == .ok, "\(embed.text)")
        #expect(embed.json?["model"] as? String == "all-minilm-l6-v2")
        #expect(embed.json?["dims"] as? Int == 32)
        let vectors = (embed.json?["vectors"] as? [[Double]]) ?? []
        #expect(vectors.count == 3)
        #expect(vectors.first == vectors.last)
        #expect(vectors.first != vectors.dropFirst().first)
        for vector in vectors { #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4) }

        let openAI = try await fleet.request(.embedd, .POST, "/v1/embeddings", body: #"{"input":"nurse","model":"all-minilm-l6-v2"}"#)
        #expect(openAI.status == .ok)
        let data = (openAI.json?["data"] as? [[String: Any]]) ?? []
        #expect((data.first?["embedding"] as? [Double]).map { zip($0, vectors[1]).allSatisfy { abs($0 - $1) < 1e-6 } } == true)
        let wrongModel = try await fleet.request(.embedd, .POST, "/v1/embed", body: #"{"texts":["a"],"model":"hash-384"}"#)
        #expect(wrongModel.status == .badRequest)
        #expect(fleet.stop()[.embedd] == 0)
    }
}
