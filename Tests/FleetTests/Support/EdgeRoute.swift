import LakehouseKit

extension Router {
    /// A route of an in-process stand-in for a service at the edge (a cloud provider, Ollama),
    /// answered from a `.high` task rather than an ordinary one. The stand-in plays another machine,
    /// so it must not wait behind this test process's own work: on Linux an ordinary task queues on
    /// libdispatch's default-QoS root queue (about one worker per core), which at the start of a
    /// run holds every test job of every suite, long synchronous ones included; a handler there was
    /// measured waiting 6.9 s on a loaded 2-core box, far past timeouts such as a chatd provider's.
    /// `.high` tasks run from the user-initiated root queue, whose workers nothing else here uses.
    mutating func edgePost(_ pattern: String, _ handler: @escaping HTTPHandler) {
        callback(.POST, pattern) { request, loop, respond in
            Task(priority: .high) {
                let result: Result<HTTPResponse, any Error>
                do {
                    result = .success(try await handler(request))
                } catch {
                    result = .failure(error)
                }
                loop.execute { respond(result) }
            }
        }
    }
}
