import Synchronization
import Testing
@testable import EmbedService

@Suite struct SingleFlightTests {
    @Test func firstClaimLeadsLaterClaimsWait() {
        let flights = SingleFlight<String, Int>()
        let first = flights.claim(["a"], ready: { _ in nil })
        let second = flights.claim(["a", "b"], ready: { _ in nil })
        guard case .lead = first[0], case .wait = second[0], case .lead = second[1] else {
            Issue.record("unexpected claims \(first) \(second)")
            return
        }
        #expect(flights.inFlightCount == 2)
    }

    @Test func readyValueShortCircuitsWhenNobodyIsWorking() {
        let flights = SingleFlight<String, Int>()
        let claims = flights.claim(["a"], ready: { _ in 7 })
        guard case .ready(let value) = claims[0] else {
            Issue.record("expected ready")
            return
        }
        #expect(value == 7)
        #expect(flights.inFlightCount == 0)
    }

    @Test func waitersGetTheLeadersValue() async throws {
        let flights = SingleFlight<String, Int>()
        guard case .lead(let flight) = flights.claim(["a"], ready: { _ in nil })[0] else { return }
        let waiters = (0..<20).map { _ in flights.claim(["a"], ready: { _ in nil })[0] }
        async let outcomes = withTaskGroup(of: Result<Int, EmbedError>?.self) { group in
            for claim in waiters {
                group.addTask {
                    guard case .wait(let flight) = claim else { return nil }
                    return await flight.outcome()
                }
            }
            var all: [Result<Int, EmbedError>?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        try? await Task.sleep(for: .milliseconds(20))
        flights.finish("a", flight, with: .success(42))
        let results = await outcomes
        #expect(results.count == 20)
        #expect(results.allSatisfy { (try? $0?.get()) == 42 })
        // A waiter that arrives after the end gets the outcome at once.
        #expect(try await flight.outcome().get() == 42)
    }

    @Test func waitersGetTheLeadersErrorAndTheErrorIsNotRemembered() async {
        let flights = SingleFlight<String, Int>()
        guard case .lead(let flight) = flights.claim(["a"], ready: { _ in nil })[0],
            case .wait(let same) = flights.claim(["a"], ready: { _ in nil })[0]
        else { return }
        let error = EmbedError.providerTimeout(provider: "fake")
        flights.finish("a", flight, with: .failure(error))
        #expect(await same.outcome() == .failure(error))
        guard case .lead = flights.claim(["a"], ready: { _ in nil })[0] else {
            Issue.record("after a failure the next caller must lead again")
            return
        }
    }
}
