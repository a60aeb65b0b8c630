import LakehouseKit
import Synchronization

/// `local`, the embedded default provider: the rule-based `LocalDrafter`, in process, no network.
/// Usage is chatd's estimate (`TokenEstimate`); a stream hands the answer out in short pieces.
struct LocalChatProvider: ChatProvider {
    let drafter: LocalDrafter
    var name: String { ChatConfig.localName }
    var defaultModel: String { LocalDrafter.model }
    static let streamPieceCharacters = 48

    func complete(_ call: ChatCall, model: String) async throws(ProviderFailure) -> ChatCompletion {
        let content = drafter.answer(call.messages, json: call.json)
        return ChatCompletion(content: content, usage: usage(call, content), finishReason: "stop")
    }

    func stream(_ call: ChatCall, model: String) async throws(ProviderFailure) -> any ChatEventStream {
        let content = drafter.answer(call.messages, json: call.json)
        var events: [ChatStreamEvent] = []
        var piece = ""
        for character in content {
            piece.append(character)
            if piece.count >= LocalChatProvider.streamPieceCharacters {
                events.append(.delta(piece))
                piece = ""
            }
        }
        if !piece.isEmpty { events.append(.delta(piece)) }
        events.append(.done(usage: usage(call, content), finishReason: "stop"))
        return ListedEvents(events)
    }

    func usage(_ call: ChatCall, _ content: String) -> ChatUsage {
        ChatUsage(promptTokens: TokenEstimate.prompt(call.messages), completionTokens: TokenEstimate.tokens(content))
    }
}

/// Events already in memory, handed out in order.
final class ListedEvents: ChatEventStream {
    private let remaining: Mutex<[ChatStreamEvent]>

    init(_ events: [ChatStreamEvent]) { remaining = Mutex(events.reversed()) }

    func next() async throws(ProviderFailure) -> ChatStreamEvent? { remaining.withLock { $0.popLast() } }
    func cancel() { remaining.withLock { $0 = [] } }
}

/// The drafter answers in well under a millisecond and never waits: on the event loop it answers
/// at once, without a task (a plain `/v1/chat` to `local` never leaves the loop).
extension LocalChatProvider: LoopCallableProvider {
    var canCallOnLoop: Bool { true }

    func completeOnLoop(_ call: ChatCall, model: String, loop: EventLoop, completion: @escaping @Sendable (Result<ChatCompletion, ProviderFailure>) -> Void) {
        let content = drafter.answer(call.messages, json: call.json)
        completion(.success(ChatCompletion(content: content, usage: usage(call, content), finishReason: "stop")))
    }
}
