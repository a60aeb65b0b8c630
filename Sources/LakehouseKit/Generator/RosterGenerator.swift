import Foundation

/// The deterministic demo data of SPEC §5: a roster of workers, the role vocabulary, the cities,
/// and truthd claims with deliberate conflicts. The same `seed` and `count` give byte-identical
/// files: every worker is drawn from its own random stream (seed, index), numbers are written with
/// fixed decimals, and nothing depends on the clock, the locale or hash-table order.
///
/// Claims and the roster agree by construction under truthd's default source priority
/// (`hr_system, background_check, client_feedback, self_reported`): every certification a worker
/// holds has an `hr_system` claim `true`; a share of workers also get a lower-priority, more recent
/// claim that disagrees (`self_reported` or `client_feedback`), and a worker of a certified role
/// who lacks the certification but "self-reports" it gets an `hr_system` claim `false` that
/// outranks it. So the reconciled value is always what `Worker.certifications` says.
public struct RosterGenerator: Sendable {
    public let count: Int
    public let seed: UInt64

    /// Share of a certified role's workers who hold its certification (the validators need both kinds).
    public static let certifiedShare = 0.85
    /// Largest distance between a worker's coordinates and the centre of their city.
    public static let jitterMiles = 5.0

    public init(count: Int, seed: UInt64) {
        self.count = count
        self.seed = seed
    }

    public struct Summary: Sendable, Equatable {
        public var workers: Int
        public var claims: Int
        public var conflicts: Int
    }

    /// One worker with the claims truthd gets about them.
    public struct Entry: Sendable {
        public var worker: Worker
        public var claims: [Claim]
        /// Claims that deliberately disagree with the `hr_system` claim.
        public var conflicts: Int
    }

    /// Worker `index` (0-based; id `W-<index+1>`), independent of every other worker.
    public func entry(at index: Int) -> Entry {
        var random = RosterRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
        let role = RosterGenerator.roleTable.pick(&random)
        let city = RosterGenerator.cityTable.pick(&random)
        let first = RosterGenerator.firstNames[random.below(RosterGenerator.firstNames.count)]
        let last = RosterGenerator.lastNames[random.below(RosterGenerator.lastNames.count)]
        let number = index + 1
        let id = "W-" + RosterGenerator.padded(number, width: 6)

        // Coordinates: a uniform point in a disc of `jitterMiles` around the city centre.
        let distance = RosterGenerator.jitterMiles * random.unit().squareRoot()
        let bearing = random.unit() * 2 * Double.pi
        let lat = city.lat + distance * cos(bearing) / 69.0
        let lon = city.lon + distance * sin(bearing) / (69.0 * cos(city.lat * Double.pi / 180))

        var skills: [String] = []
        let skillCount = 2 + random.below(3)
        for skill in role.skills where skills.count < skillCount && random.unit() < 0.7 { skills.append(skill) }
        if skills.isEmpty { skills.append(role.skills[0]) }

        var certifications: [String] = []
        let roleCertified = role.certification != nil && random.unit() < RosterGenerator.certifiedShare
        if let certification = role.certification, roleCertified { certifications.append(certification) }
        if RosterGenerator.osha10Roles.contains(role.name) && random.unit() < 0.3 { certifications.append("osha-10") }

        let shifts = RosterGenerator.pickShifts(&random)
        let days = RosterGenerator.pickDays(&random)
        let base = RosterGenerator.basePay[role.name] ?? 17
        let cents = Int((base * (0.85 + 0.4 * random.unit())) * 4).clamped(to: 40...400) * 25  // quarter-dollar steps
        let status = random.unit() < 0.9 ? "active" : "inactive"
        let area = RosterGenerator.areaCodes[city.name + "|" + city.state] ?? "555"
        let phone = "+1-\(area)-555-" + RosterGenerator.padded(random.below(10_000), width: 4)
        let email = RosterGenerator.emailLocal(first) + "." + RosterGenerator.emailLocal(last) + String(number) + "@example.com"

        let worker = Worker(id: id, name: first + " " + last, role: role.name, skills: skills, certifications: certifications,
                            city: city.name, state: city.state, lat: RosterGenerator.rounded(lat, 4), lon: RosterGenerator.rounded(lon, 4),
                            shifts: shifts, days: days, payRate: Double(cents) / 100, status: status, phone: phone, email: email)

        var claims: [Claim] = []
        var conflicts = 0
        let subject = "worker:" + id
        for certification in certifications {
            let attribute = "certification." + certification
            claims.append(Claim(subject: subject, attribute: attribute, value: .bool(true), source: "hr_system",
                                observedAt: RosterGenerator.date(&random, month: 1...6), confidence: 0.99))
            if random.unit() < 0.12 {
                // A lower-priority, more recent source disagrees: priority must beat recency.
                let source = random.unit() < 0.5 ? "self_reported" : "client_feedback"
                claims.append(Claim(subject: subject, attribute: attribute, value: .bool(false), source: source,
                                    observedAt: RosterGenerator.date(&random, month: 7...10), confidence: 0.6))
                conflicts += 1
            }
        }
        if let certification = role.certification, !roleCertified, random.unit() < 0.4 {
            // The worker claims a certification HR has no record of.
            let attribute = "certification." + certification
            claims.append(Claim(subject: subject, attribute: attribute, value: .bool(false), source: "hr_system",
                                observedAt: RosterGenerator.date(&random, month: 1...6), confidence: 0.99))
            claims.append(Claim(subject: subject, attribute: attribute, value: .bool(true), source: "self_reported",
                                observedAt: RosterGenerator.date(&random, month: 7...10), confidence: 0.7))
            conflicts += 1
        }
        return Entry(worker: worker, claims: claims, conflicts: conflicts)
    }

    /// Writes `workers.jsonl`, `roles.json`, `cities.json` and `claims.jsonl` into `directory`
    /// (created if needed), each replaced atomically.
    @discardableResult
    public func write(to directory: String) throws -> Summary {
        try DurableFile.createDirectory(directory)
        var summary = Summary(workers: 0, claims: 0, conflicts: 0)
        let workersPath = (directory as NSString).appendingPathComponent("workers.jsonl")
        let claimsPath = (directory as NSString).appendingPathComponent("claims.jsonl")
        var claimsStage: StagedReplacement?
        let workersStage = try DurableFile.stageReplacement(of: workersPath) { workersOut in
            claimsStage = try DurableFile.stageReplacement(of: claimsPath) { claimsOut in
                var line = GeneratorLine()
                for index in 0..<count {
                    let entry = entry(at: index)
                    line.reset()
                    line.worker(entry.worker)
                    try workersOut.write(line.bytes)
                    for claim in entry.claims {
                        line.reset()
                        line.claim(claim)
                        try claimsOut.write(line.bytes)
                    }
                    summary.workers += 1
                    summary.claims += entry.claims.count
                    summary.conflicts += entry.conflicts
                }
            }
        }
        try workersStage.commit()
        try claimsStage?.commit()
        try DurableFile.atomicReplace(path: (directory as NSString).appendingPathComponent("roles.json"), bytes: RosterGenerator.rolesJSON())
        try DurableFile.atomicReplace(path: (directory as NSString).appendingPathComponent("cities.json"), bytes: RosterGenerator.citiesJSON())
        return summary
    }

    // MARK: - The vocabulary and cities files

    /// `roles.json`: every role with its synonyms, their plurals, certification and skills.
    public static func rolesJSON() -> [UInt8] {
        var out = GeneratorLine()
        out.raw("[\n")
        for (position, role) in RoleVocabulary.all.enumerated() {
            out.raw("  {\"name\":")
            out.string(role.name)
            out.raw(",\"synonyms\":")
            out.strings(role.synonyms)
            out.raw(",\"plurals\":")
            var plurals: [String] = []
            for phrase in [role.name] + role.synonyms where !plurals.contains(RoleNames.plural(phrase)) { plurals.append(RoleNames.plural(phrase)) }
            out.strings(plurals)
            out.raw(",\"certification\":")
            if let certification = role.certification { out.string(certification) } else { out.raw("null") }
            out.raw(",\"skills\":")
            out.strings(role.skills)
            out.raw(position + 1 < RoleVocabulary.all.count ? "},\n" : "}\n")
        }
        out.raw("]\n")
        return out.bytes
    }

    /// `cities.json`: the gazetteer with real coordinates.
    public static func citiesJSON() -> [UInt8] {
        var out = GeneratorLine()
        out.raw("[\n")
        for (position, city) in Gazetteer.cities.enumerated() {
            out.raw("  {\"name\":")
            out.string(city.name)
            out.raw(",\"state\":")
            out.string(city.state)
            out.raw(",\"lat\":")
            out.fixed(city.lat, 4)
            out.raw(",\"lon\":")
            out.fixed(city.lon, 4)
            out.raw(position + 1 < Gazetteer.cities.count ? "},\n" : "}\n")
        }
        out.raw("]\n")
        return out.bytes
    }

    // MARK: - Draws

    static func pickShifts(_ random: inout RosterRandom) -> [String] {
        let draw = random.unit()
        if draw < 0.35 { return ["1st"] }
        if draw < 0.55 { return ["2nd"] }
        if draw < 0.65 { return ["3rd"] }
        if draw < 0.85 { return ["1st", "2nd"] }
        if draw < 0.95 { return ["2nd", "3rd"] }
        return ["1st", "2nd", "3rd"]
    }

    static func pickDays(_ random: inout RosterRandom) -> [String] {
        let draw = random.unit()
        if draw < 0.55 { return ["mon", "tue", "wed", "thu", "fri"] }
        if draw < 0.65 { return ["sat", "sun"] }
        if draw < 0.75 { return WorkSchedule.days }
        // Three to five days of the week, in week order.
        var days: [String] = []
        let wanted = 3 + random.below(3)
        while days.count < wanted {
            let day = WorkSchedule.days[random.below(7)]
            if !days.contains(day) { days.append(day) }
        }
        return WorkSchedule.days.filter(days.contains)
    }

    static func date(_ random: inout RosterRandom, month: ClosedRange<Int>) -> String {
        let m = month.lowerBound + random.below(month.count)
        let d = 1 + random.below(28)
        let h = random.below(24)
        let minute = random.below(60)
        return "2026-\(padded(m, width: 2))-\(padded(d, width: 2))T\(padded(h, width: 2)):\(padded(minute, width: 2)):00Z"
    }

    static func padded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func rounded(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    static func emailLocal(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) }.map(Character.init))
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform. (VectorService
/// has its own public copy for its synthetic vectors; this one stays internal so names never clash.)
struct RosterRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Weighted choice by cumulative weights.
struct WeightedTable<Element: Sendable>: Sendable {
    let items: [Element]
    let cumulative: [Double]

    init(_ weighted: [(Element, Double)]) {
        items = weighted.map(\.0)
        var total = 0.0
        cumulative = weighted.map { total += $0.1; return total }
    }

    func pick(_ random: inout RosterRandom) -> Element {
        let target = random.unit() * cumulative.last!
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return items[low]
    }
}

/// One JSONL line of the generator's files, keys in the SPEC §5 order, numbers in fixed decimals.
struct GeneratorLine {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func raw(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    mutating func string(_ value: String) {
        var writer = JSONWriter(capacity: value.utf8.count + 2)
        writer.string(value)
        bytes.append(contentsOf: writer.bytes)
    }

    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (position, value) in values.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `value` with exactly `places` decimals (trailing zeros dropped, at least one digit after the
    /// point), by integer arithmetic so it never depends on the C library's formatting.
    mutating func fixed(_ value: Double, _ places: Int) {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((abs(value) * Double(scale)).rounded())
        if value < 0 && scaled != 0 { bytes.append(UInt8(ascii: "-")) }
        bytes.append(contentsOf: String(scaled / scale).utf8)
        var fraction = RosterGenerator.padded(scaled % scale, width: places)
        while fraction.count > 1 && fraction.hasSuffix("0") { fraction.removeLast() }
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: fraction.utf8)
    }

    mutating func worker(_ w: Worker) {
        raw("{\"id\":"); string(w.id)
        raw(",\"name\":"); string(w.name)
        raw(",\"role\":"); string(w.role)
        raw(",\"skills\":"); strings(w.skills)
        raw(",\"certifications\":"); strings(w.certifications)
        raw(",\"city\":"); string(w.city)
        raw(",\"state\":"); string(w.state)
        raw(",\"lat\":"); fixed(w.lat, 4)
        raw(",\"lon\":"); fixed(w.lon, 4)
        raw(",\"shifts\":"); strings(w.shifts)
        raw(",\"days\":"); strings(w.days)
        raw(",\"pay_rate\":"); fixed(w.payRate, 2)
        raw(",\"status\":"); string(w.status)
        raw(",\"phone\":"); string(w.phone)
        raw(",\"email\":"); string(w.email)
        raw("}\n")
    }

    mutating func claim(_ c: Claim) {
        raw("{\"subject\":"); string(c.subject)
        raw(",\"attribute\":"); string(c.attribute)
        raw(",\"value\":")
        switch c.value {
        case .bool(let flag): flag ? raw("true") : raw("false")
        default:
            var writer = JSONWriter()
            writer.value(c.value)
            bytes.append(contentsOf: writer.bytes)
        }
        raw(",\"source\":"); string(c.source)
        raw(",\"observed_at\":"); string(c.observedAt)
        if let confidence = c.confidence {
            raw(",\"confidence\":"); fixed(confidence, 2)
        }
        raw("}\n")
    }
}
