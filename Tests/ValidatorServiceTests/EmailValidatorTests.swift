import LakehouseKit
import Testing
@testable import ValidatorService

/// One table per EmailValidator rule: e-mails that must trip it, near-misses that must not.
/// Each text is appended to the valid baseline e-mail (which names workers 1–3).
@Suite struct EmailValidatorTests {
    func violations(body extra: String, subject: String = Fixture.email.subject, fill: FillProposal = Fixture.fill) throws -> [Violation] {
        let email = ClientEmail(subject: subject, body: Fixture.email.body + "\n" + extra)
        return EmailValidator(roster: try Fixture.roster()).validate(email, fill: fill)
    }

    func expect(_ rule: String, trips: [String], spares: [String]) throws {
        #expect(trips.count >= 3 && spares.count >= 3)
        for text in trips {
            let found = try violations(body: text)
            #expect(rules(found).contains(rule), "\(rule) must trip on: \(text); got \(found.map(\.message))")
            #expect(found.filter { $0.rule == rule }.allSatisfy { $0.severity == .error && $0.path == "$.body" })
        }
        for text in spares {
            let found = try violations(body: text)
            #expect(!rules(found).contains(rule), "\(rule) must not trip on: \(text); got \(found.filter { $0.rule == rule }.map(\.message))")
        }
    }

    @Test func theBaselineEmailIsClean() throws {
        let found = try violations(body: "")
        #expect(found.isEmpty, "\(found)")
    }

    @Test func ssnPattern() throws {
        try expect("ssn_pattern", trips: [
            "Her SSN is 419-55-0142.", "ref 419 55 0142", "number 419.55.0142", "call (419) 55-0142", "phone +1-419-55-0142",
            "mixed 419-55.0142 separators", "419-55-0142",
        ], spares: [
            "Phone 419-555-0142 is a phone.", "Start date 2026-11-21.", "Badge 4195-55-0142.", "Code 419-55-01423.", "Lot 12-34-5678.",
            "Zip 43604-1234.", "Order 41955 0142.",
        ])
        let found = try violations(body: "SSN 419-55-0142")
        #expect(found.first?.message == "the body contains \"419-55-0142\", shaped like a social security number (ddd-dd-dddd); remove it")
    }

    @Test func ssnPatternRangesAreExact() {
        #expect(TextPatterns.ssnMatches(Array("a 419-55-0142 b".utf8)) == [2..<13])
        #expect(TextPatterns.ssnMatches(Array("(419) 55-0142".utf8)) == [0..<13])
        #expect(TextPatterns.ssnMatches(Array("419-555-0142 and 419-55-0142".utf8)) == [17..<28])
    }

    @Test func salaryDisclosure() throws {
        try expect("salary_disclosure", trips: [
            "They earn $18.50/hr.", "Maria makes 18.5 an hour.", "Her pay rate is competitive.", "The wage is fair.", "Salary on request.",
            "That is 19 per hour.", "Budget $40,000 for the team.", "About 40k a year.", "Paid 18.50 USD.", "Rate: 18.5/hr", "$ 18 each",
            "They are salaried.", "Wages are weekly.",
        ], spares: [
            "They work hourly shifts.", "Please arrive an hour early.", "Shifts are 8 hours a day.", "Pay attention to the dock schedule.",
            "Ask for Mr. Wagner at the gate.", "The 2nd shift starts at 3:30.", "Room 18 on floor 2.", "The hourly schedule is attached.",
        ])
    }

    @Test func nameConsistencyEveryCandidateNamed() throws {
        let missing = ClientEmail(subject: "Your fill", body: "We can place Maria Lopez and James Carter on Monday.")
        let found = EmailValidator(roster: try Fixture.roster()).validate(missing, fill: Fixture.fill)
        #expect(found.map(\.rule) == ["name_consistency"])
        #expect(found.first?.message == "the e-mail never names Aisha Khan (W-000003), who is in the fill; introduce every proposed worker by name")
        // Named only in the subject counts as named.
        let inSubject = ClientEmail(subject: "Aisha Khan and team", body: "We can place Maria Lopez and James Carter on Monday.")
        #expect(EmailValidator(roster: try Fixture.roster()).validate(inSubject, fill: Fixture.fill).isEmpty)
        // Part of a longer word does not count.
        let partial = ClientEmail(subject: "x", body: "Maria Lopezz, James Carter and Aisha Khan.")
        #expect(rules(EmailValidator(roster: try Fixture.roster()).validate(partial, fill: Fixture.fill)) == ["name_consistency"])
    }

    @Test func nameConsistencyNoOtherWorkerNamed() throws {
        try expect("name_consistency", trips: [
            "Wei Chen will also be there.", "If needed, Carlos Diaz can cover.", "Priya Patel sends her regards.", "Thanks, Noah Brooks",
        ], spares: [
            "Wei will bring the paperwork.", "See you in Toledo Ohio.", "Ask for Grand Rapids Logistics.", "Maria Lopez again.",
            "Contact Jane Doe at the front desk.",
        ])
        let found = try violations(body: "Wei Chen will also be there.")
        #expect(found.first?.message == "the body names Wei Chen, a roster worker who is not in this fill; mention only the proposed workers")
    }

    @Test func phantomID() throws {
        try expect("phantom_id", trips: [
            "Also W-000999 is free.", "Backup: w-000004.", "See W-7.", "(W-000005)",
        ], spares: [
            "Ids W-000001, W-000002 and W-000003.", "They are W-2 employees.", "Part SW-100.", "Form W- is blank.", "W2 on file.",
        ])
        let found = try violations(body: "Also W-000999 is free.")
        #expect(found.first?.message == "the body mentions W-000999, which is not one of the fill's workers (W-000001, W-000002, W-000003); remove it or use a proposed worker's id")
    }

    @Test func contactLeak() throws {
        try expect("contact_leak", trips: [
            "Call her at +1-419-555-0142.", "James: 419-555-0177.", "Aisha 4195550199", "Mail maria.lopez@example.com",
            "MARIA.LOPEZ@EXAMPLE.COM", "(419) 555 0142", "Phone 1 419 555 0177.",
        ], spares: [
            "Our desk: 419-555-0000.", "Write to support@staffing.example.", "Extension 419-555-01.", "Call 911.", "maria.lopez@example",
        ])
        let found = try violations(body: "Call her at +1-419-555-0142.")
        #expect(found.first?.message == "the body contains the phone number of W-000001 (\"+1-419-555-0142\"); remove workers' phone numbers and e-mail addresses")
    }

    @Test func subjectViolationsPointAtTheSubject() throws {
        let found = try violations(body: "", subject: "SSN 419-55-0142 and $18/hr")
        #expect(found.map(\.path) == ["$.subject", "$.subject"])
        #expect(Set(rules(found)) == ["ssn_pattern", "salary_disclosure"])
    }

    @Test func capitalisedNameWindows() {
        let text = Array("Hello Maria Lopez, meet Mary Ann Smith".utf8)
        let names = TextPatterns.capitalisedNames(text).map { String(decoding: text[$0], as: UTF8.self) }
        #expect(names == ["Hello Maria", "Hello Maria Lopez", "Maria Lopez", "Mary Ann", "Mary Ann Smith", "Ann Smith"])
    }
}
