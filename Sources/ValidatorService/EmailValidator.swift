import LakehouseKit

/// EmailValidator (SPEC §6): what a client-facing e-mail must never contain, and whom it must name.
/// Rules: `ssn_pattern`, `salary_disclosure`, `name_consistency`, `phantom_id`, `contact_leak`.
/// Every violation is an error; paths are `$.subject` / `$.body` under `prefix`.
struct EmailValidator: Sendable {
    let roster: CompactRoster

    func validate(_ email: ClientEmail, fill: FillProposal, prefix: String = "$") -> [Violation] {
        var violations: [Violation] = []
        let fields: [(path: String, text: [UInt8])] = [("\(prefix).subject", Array(email.subject.utf8)), ("\(prefix).body", Array(email.body.utf8))]
        let fillIDs = Set(fill.candidates.map(\.workerID))
        let fillNames = Set(fill.candidates.map { Array($0.name.utf8) })
        let fillIDList = fill.candidates.map(\.workerID).joined(separator: ", ")
        for (path, text) in fields where !text.isEmpty {
            func quote(_ r: Range<Int>) -> String { String(decoding: text[r], as: UTF8.self) }

            for r in TextPatterns.ssnMatches(text) {
                violations.append(Violation(rule: "ssn_pattern", severity: .error, path: path,
                    message: "\(field(path)) contains \"\(quote(r))\", shaped like a social security number (ddd-dd-dddd); remove it"))
            }
            for r in TextPatterns.salaryMatches(text) {
                violations.append(Violation(rule: "salary_disclosure", severity: .error, path: path,
                    message: "\(field(path)) discloses pay (\"\(quote(r))\"); remove every pay rate, wage and salary figure from the client e-mail"))
            }
            var seenIDs: Set<String> = []
            for r in TextPatterns.workerIDs(text) {
                let id = "W" + String(decoding: text[(r.lowerBound + 1)..<r.upperBound], as: UTF8.self)
                guard !fillIDs.contains(id), seenIDs.insert(id).inserted else { continue }
                if r.count == 3, [UInt8(ascii: "2"), UInt8(ascii: "4"), UInt8(ascii: "9")].contains(text[r.lowerBound + 2]), roster.index(ofID: id) == nil {
                    continue  // the tax forms W-2, W-4, W-9
                }
                violations.append(Violation(rule: "phantom_id", severity: .error, path: path,
                    message: "\(field(path)) mentions \(id), which is not one of the fill's workers (\(fillIDList.isEmpty ? "none" : fillIDList)); remove it or use a proposed worker's id"))
            }
            var leaked: Set<Int> = []
            for phone in TextPatterns.phoneNumbers(text) {
                guard let worker = phone.numbers.lazy.compactMap({ roster.index(ofPhoneNumber: $0) }).first, leaked.insert(worker).inserted else { continue }
                violations.append(Violation(rule: "contact_leak", severity: .error, path: path,
                    message: "\(field(path)) contains the phone number of \(roster.id(worker)) (\"\(quote(phone.range))\"); remove workers' phone numbers and e-mail addresses"))
            }
            for r in TextPatterns.emailAddresses(text) {
                let worker = text.withUnsafeBytes { roster.index(ofEmail: UnsafeRawBufferPointer(rebasing: $0[r])) }
                guard let worker, leaked.insert(worker).inserted else { continue }
                violations.append(Violation(rule: "contact_leak", severity: .error, path: path,
                    message: "\(field(path)) contains the e-mail address of \(roster.id(worker)) (\"\(quote(r))\"); remove workers' phone numbers and e-mail addresses"))
            }
            var named: Set<ArraySlice<UInt8>> = []
            for r in TextPatterns.capitalisedNames(text) {
                let name = text[r]
                guard !fillNames.contains(Array(name)), !named.contains(name) else { continue }
                let isRosterName = text.withUnsafeBytes { roster.hasName(UnsafeRawBufferPointer(rebasing: $0[r])) }
                guard isRosterName else { continue }
                named.insert(name)
                violations.append(Violation(rule: "name_consistency", severity: .error, path: path,
                    message: "\(field(path)) names \(quote(r)), a roster worker who is not in this fill; mention only the proposed workers"))
            }
        }
        for candidate in fill.candidates where !candidate.name.isEmpty {
            let name = Array(candidate.name.utf8)
            guard !fields.contains(where: { TextPatterns.containsWords(name, in: $0.text) }) else { continue }
            violations.append(Violation(rule: "name_consistency", severity: .error, path: "\(prefix).body",
                message: "the e-mail never names \(candidate.name) (\(candidate.workerID)), who is in the fill; introduce every proposed worker by name"))
        }
        return violations
    }

    private func field(_ path: String) -> String { path.hasSuffix("subject") ? "the subject" : "the body" }
}
