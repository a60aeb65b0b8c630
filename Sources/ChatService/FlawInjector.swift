import Foundation
import LakehouseKit

/// The one realistic mistake the local drafter makes in a share of its first drafts, so that the
/// validators and the correction loop have real work on a machine without a model. Which drafts,
/// and which mistake, follow from a stable hash of the request context: the same request always
/// gets the same draft. Each kind trips exactly one validator rule.
enum DraftFlaw: String, Sendable, CaseIterable {
    /// One worker fewer (or one more when one was asked for) → `count_mismatch`.
    case wrongCount = "count_mismatch"
    /// A worker's pay rate in the e-mail → `salary_disclosure`.
    case payInEmail = "salary_disclosure"
    /// A worker's phone number in the e-mail → `contact_leak`.
    case phoneInEmail = "contact_leak"
    /// A worker from another state who otherwise qualifies → `geo_mismatch`.
    case otherState = "geo_mismatch"
    /// A misspelt name, the same in the fill and the e-mail → `name_mismatch`.
    case misspeltName = "name_mismatch"
}

struct FlawInjector: Sendable {
    let rate: Double

    /// FNV-1a (64-bit) of the context bytes, then a SplitMix64 finaliser so nearby inputs spread.
    static func stableHash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }

    /// Whether the draft with this hash gets a mistake: its low 20 bits as a fraction below `rate`.
    func isFlawed(_ hash: UInt64) -> Bool {
        Double(hash & 0xF_FFFF) / Double(1 << 20) < rate
    }

    /// The flawed version of a clean draft, or the draft itself when it is not to be flawed (or no
    /// mistake applies). `chosen` are the proposed workers; the draft is rebuilt from them.
    func apply(to chosen: [Worker], context: FillDraftContext, hash: UInt64) -> (draft: FillDraft, flaw: DraftFlaw?) {
        let request = context.request
        let clean = LocalDrafter.draft(chosen, context: context)
        // A draft already short of workers carries its count_mismatch: that is its one mistake.
        guard isFlawed(hash), chosen.count == request.count, !chosen.isEmpty else { return (clean, nil) }
        let used = Set(chosen.map(\.id))
        let spare = FillRules.ranked(context).first { !used.contains($0.id) }
        var seen: Set<String> = []
        let outOfState = context.workers.first { worker in
            seen.insert(worker.id).inserted && !used.contains(worker.id) && FillRules.qualifies(worker, for: request, anyState: true)
                && request.state != nil && worker.state.uppercased() != request.state!.uppercased()
        }
        var kinds: [DraftFlaw] = []
        if request.count > 1 || spare != nil { kinds.append(.wrongCount) }
        kinds += [.payInEmail, .phoneInEmail]
        if outOfState != nil { kinds.append(.otherState) }
        if chosen.contains(where: { FlawInjector.misspell($0.name) != nil }) { kinds.append(.misspeltName) }
        let kind = kinds[Int((hash >> 32) % UInt64(kinds.count))]
        let victim = Int((hash >> 20) % UInt64(chosen.count))

        switch kind {
        case .wrongCount:
            let workers = request.count > 1 ? Array(chosen.dropLast()) : chosen + [spare!]
            return (LocalDrafter.draft(workers, context: context), kind)
        case .otherState:
            var workers = chosen
            workers[workers.count - 1] = outOfState!
            return (LocalDrafter.draft(workers, context: context), kind)
        case .payInEmail:
            let worker = chosen[victim]
            let rate = String(format: "$%.2f/hr", worker.payRate)
            return (withNote("For reference, \(worker.name) is on \(rate).", in: clean), kind)
        case .phoneInEmail:
            let worker = chosen[victim]
            return (withNote("You can reach \(worker.name) directly at \(worker.phone).", in: clean), kind)
        case .misspeltName:
            let index = (0..<chosen.count).map { ($0 + victim) % chosen.count }.first { FlawInjector.misspell(chosen[$0].name) != nil }!
            var candidates = clean.fill.candidates
            candidates[index].name = FlawInjector.misspell(chosen[index].name)!
            var draft = clean
            draft.fill.candidates = candidates
            draft.email = DraftWriter.email(for: candidates, request: request, workers: LocalDrafter.byID(context.workers))
            return (draft, kind)
        }
    }

    /// The draft with one more sentence after the candidate list.
    private func withNote(_ note: String, in draft: FillDraft) -> FillDraft {
        var draft = draft
        var lines = draft.email.body.components(separatedBy: "\n")
        let afterList = (lines.lastIndex { $0.hasPrefix("- ") } ?? lines.count - 1) + 1
        lines.insert(note, at: afterList)
        draft.email.body = lines.joined(separator: "\n")
        return draft
    }

    /// A typo in the last name: two neighbouring letters swapped ("Lopez" → "Lpoez"), or nil when
    /// the name has no such pair.
    static func misspell(_ name: String) -> String? {
        var words = name.split(separator: " ", omittingEmptySubsequences: false).map(Array.init)
        guard var last = words.last else { return nil }
        for index in 1..<max(1, last.count - 1) where last[index] != last[index + 1] && last[index].isLetter && last[index + 1].isLetter {
            last.swapAt(index, index + 1)
            words[words.count - 1] = last
            return words.map { String($0) }.joined(separator: " ")
        }
        return nil
    }
}
