import Glibc
import LakehouseKit

/// The roster held in memory in a compact, immutable form (SPEC §6: 500,000 workers in ≤ 75 MB).
///
/// Column per field: roles, cities, states and statuses are interned to small integers; shifts and
/// days are one 10-bit set; certification and skill lists are interned as whole lists (rosters
/// repeat the same few combinations); coordinates and pay are `Float`; a phone is its format
/// (`+#-###-###-####`, interned) and its digits as one integer; an e-mail is its interned domain and
/// its local part, minus the worker's name when it starts with it. Id, name and the rest of the
/// e-mail sit back to back in one byte arena. Hash tables of worker indices answer "which worker
/// has this id / full name / phone / e-mail" without copying a key; ids that are one prefix and
/// consecutive numbers in file order (what generators write) need no table at all.
public final class CompactRoster: Sendable {
    public let count: Int
    /// Worker `i`'s strings start at `arenaStart[i]`: id, name (lengths in `lengths`), then the
    /// stored part of the e-mail's local part up to `arenaStart[i + 1]`.
    let arena: [UInt8]
    let arenaStart: [UInt32]
    let lengths: [UInt8]
    let phoneDigits: [UInt64]
    let phoneFormat: [UInt16]
    let emailDomain: [UInt16]
    /// Bits 0–6: status code; bit 7: `RosterBuilder.emailFromName`.
    let statusAndFlags: [UInt8]
    let role: [UInt16]
    let city: [UInt16]
    let state: [UInt16]
    /// Bits 0–2: shifts (`WorkSchedule.shifts` order); bits 3–9: days (`WorkSchedule.days` order).
    let schedule: [UInt16]
    let lat: [Float]
    let lon: [Float]
    let payRate: [Float]
    let certificationList: [UInt16]
    let skillList: [UInt32]

    let roleNames: [String]
    let cityNames: [String]
    let stateNames: [String]
    let statusNames: [String]
    let domains: [[UInt8]]
    let phoneFormats: [[UInt8]]
    /// Digits per phone format.
    let phoneFormatDigits: [Int]
    let certificationLists: [[String]]
    let skillLists: [[String]]
    /// Index of "active" in `statusNames`, or -1.
    let activeStatus: Int

    /// Ids `prefix` + a fixed-width number, consecutive from `first`: index = number − first.
    struct DenseIDs: Sendable {
        let prefix: [UInt8]
        let width: Int
        let first: UInt64
    }

    let denseIDs: DenseIDs?
    let ids: RosterKeyTable?
    let names: RosterKeyTable
    let phones: RosterKeyTable
    let emails: RosterKeyTable

    /// Columns only (no tables yet): `RosterBuilder.finish` reads keys through it to build them.
    init(builder: consuming RosterBuilder) {
        count = builder.count
        // An exactly sized copy: the builder's arena grew geometrically.
        let source = builder.arena
        arena = [UInt8](unsafeUninitializedCapacity: source.count) { buffer, initialized in
            initialized = source.withUnsafeBufferPointer { buffer.initialize(fromContentsOf: $0) }
        }
        arenaStart = builder.arenaStart
        lengths = builder.lengths
        phoneDigits = builder.phoneDigits
        phoneFormat = builder.phoneFormat
        emailDomain = builder.emailDomain
        statusAndFlags = builder.statusAndFlags
        role = builder.role
        city = builder.city
        state = builder.state
        schedule = builder.schedule
        lat = builder.lat
        lon = builder.lon
        payRate = builder.payRate
        certificationList = builder.certificationList
        skillList = builder.skillList
        roleNames = builder.roles.values
        cityNames = builder.cities.values
        stateNames = builder.states.values
        statusNames = builder.statuses.values
        domains = builder.domains.values
        phoneFormats = builder.phoneFormats.values
        phoneFormatDigits = builder.phoneFormats.values.map { $0.count { $0 == UInt8(ascii: "#") } }
        certificationLists = builder.certificationLists.values
        skillLists = builder.skillLists.values
        activeStatus = builder.statuses.values.firstIndex(of: "active") ?? -1
        denseIDs = Self.dense(arena, arenaStart, lengths, count)
        ids = nil
        names = RosterKeyTable(expectedCount: 0)
        phones = RosterKeyTable(expectedCount: 0)
        emails = RosterKeyTable(expectedCount: 0)
    }

    init(_ columns: CompactRoster, ids: RosterKeyTable?, names: RosterKeyTable, phones: RosterKeyTable, emails: RosterKeyTable) {
        count = columns.count
        arena = columns.arena
        arenaStart = columns.arenaStart
        lengths = columns.lengths
        phoneDigits = columns.phoneDigits
        phoneFormat = columns.phoneFormat
        emailDomain = columns.emailDomain
        statusAndFlags = columns.statusAndFlags
        role = columns.role
        city = columns.city
        state = columns.state
        schedule = columns.schedule
        lat = columns.lat
        lon = columns.lon
        payRate = columns.payRate
        certificationList = columns.certificationList
        skillList = columns.skillList
        roleNames = columns.roleNames
        cityNames = columns.cityNames
        stateNames = columns.stateNames
        statusNames = columns.statusNames
        domains = columns.domains
        phoneFormats = columns.phoneFormats
        phoneFormatDigits = columns.phoneFormatDigits
        certificationLists = columns.certificationLists
        skillLists = columns.skillLists
        activeStatus = columns.activeStatus
        denseIDs = columns.denseIDs
        self.ids = ids
        self.names = names
        self.phones = phones
        self.emails = emails
    }

    /// An empty roster (validatord's state before its default roster file exists).
    public static func empty() -> CompactRoster {
        // An empty builder has no ids to repeat.
        try! RosterBuilder(expectedCount: 0).finish()
    }

    private static func dense(_ arena: [UInt8], _ starts: [UInt32], _ lengths: [UInt8], _ n: Int) -> DenseIDs? {
        guard n > 0 else { return nil }
        func split(_ i: Int) -> (prefix: ArraySlice<UInt8>, number: UInt64, width: Int)? {
            let start = Int(starts[i])
            let id = arena[start..<(start + Int(lengths[i * 2]))]
            var digitsStart = id.endIndex
            while digitsStart > id.startIndex && TextScan.isDigit(id[digitsStart - 1]) { digitsStart -= 1 }
            let width = id.endIndex - digitsStart
            guard width > 0 && width <= 18 else { return nil }
            var number: UInt64 = 0
            for byte in id[digitsStart...] { number = number * 10 + UInt64(byte - 48) }
            return (id[id.startIndex..<digitsStart], number, width)
        }
        guard let first = split(0) else { return nil }
        for i in 1..<max(1, n) {
            guard let next = split(i), next.width == first.width, next.number == first.number + UInt64(i),
                  next.prefix.count == first.prefix.count, zip(next.prefix.indices, first.prefix.indices).allSatisfy({ arena[$0] == arena[$1] })
            else { return nil }
        }
        return DenseIDs(prefix: Array(first.prefix), width: first.width, first: first.number)
    }

    // MARK: - Lookups

    /// The index of the worker with this id, or nil.
    public func index(ofID id: String) -> Int? {
        var id = id
        return id.withUTF8 { index(ofID: UnsafeRawBufferPointer($0)) }
    }

    func index(ofID key: UnsafeRawBufferPointer) -> Int? {
        if let dense = denseIDs {
            guard key.count == dense.prefix.count + dense.width, key.prefix(dense.prefix.count).elementsEqual(dense.prefix) else { return nil }
            var number: UInt64 = 0
            for byte in key.dropFirst(dense.prefix.count) {
                guard TextScan.isDigit(byte) else { return nil }
                number = number * 10 + UInt64(byte - 48)
            }
            guard number >= dense.first, number - dense.first < UInt64(count) else { return nil }
            return Int(number - dense.first)
        }
        return ids?.find(hash: RosterKeyTable.hash(key)) { field($0, .id, equal: key) }
    }

    /// Whether some roster worker's name is exactly these bytes.
    func hasName(_ key: UnsafeRawBufferPointer) -> Bool {
        names.find(hash: RosterKeyTable.hash(key)) { field($0, .name, equal: key) } != nil
    }

    /// A worker whose phone, reduced to 10 digits (`RosterKey.phoneNumber`), is `number`.
    func index(ofPhoneNumber number: UInt64) -> Int? {
        phones.find(hash: RosterKeyTable.mix(number)) { phoneNumber($0) == number }
    }

    /// A worker whose e-mail equals `key` ignoring ASCII case.
    func index(ofEmail key: UnsafeRawBufferPointer) -> Int? {
        emails.find(hash: RosterKeyTable.hashFoldingCase(key)) { other in
            guard emailLength(other) == key.count else { return false }
            var k = 0
            var equal = true
            emailBytes(other) { byte in
                if equal && TextScan.lower(byte) != TextScan.lower(key[k]) { equal = false }
                k += 1
            }
            return equal
        }
    }

    // MARK: - Fields

    enum ArenaField: Int { case id = 0, name = 1, emailRest = 2 }

    func range(_ i: Int, _ field: ArenaField) -> Range<Int> {
        let start = Int(arenaStart[i])
        let idEnd = start + Int(lengths[i * 2])
        let nameEnd = idEnd + Int(lengths[i * 2 + 1])
        switch field {
        case .id: return start..<idEnd
        case .name: return idEnd..<nameEnd
        case .emailRest: return nameEnd..<Int(arenaStart[i + 1])
        }
    }

    func withField<T>(_ i: Int, _ field: ArenaField, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        let r = range(i, field)
        return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[r])) }
    }

    func string(_ i: Int, _ field: ArenaField) -> String {
        withField(i, field) { String(decoding: $0, as: UTF8.self) }
    }

    func field(_ i: Int, _ field: ArenaField, equal key: UnsafeRawBufferPointer) -> Bool {
        withField(i, field) { $0.count == key.count && ($0.isEmpty || memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0) }
    }

    func sameField(_ a: Int, _ b: Int, _ field: ArenaField) -> Bool {
        let ra = range(a, field), rb = range(b, field)
        return ra.count == rb.count && arena.withUnsafeBytes { memcmp($0.baseAddress! + ra.lowerBound, $0.baseAddress! + rb.lowerBound, ra.count) == 0 }
    }

    /// The phone reduced to 10 digits (North American numbers; 11 digits starting with 1 drop it).
    func phoneNumber(_ i: Int) -> UInt64? {
        let digits = phoneDigits[i]
        switch phoneFormatDigits[Int(phoneFormat[i])] {
        case 10: return digits
        case 11: return digits / 10_000_000_000 == 1 ? digits % 10_000_000_000 : nil
        default: return nil
        }
    }

    func phone(_ i: Int) -> String {
        let format = phoneFormats[Int(phoneFormat[i])]
        var digits = Array(String(phoneDigits[i]).utf8)
        let wanted = phoneFormatDigits[Int(phoneFormat[i])]
        if digits.count < wanted { digits = Array(repeating: UInt8(ascii: "0"), count: wanted - digits.count) + digits }
        var next = 0
        let bytes = format.map { byte -> UInt8 in
            guard byte == UInt8(ascii: "#") else { return byte }
            defer { next += 1 }
            return digits[next]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Feeds the e-mail's bytes to `body` without assembling it.
    func emailBytes(_ i: Int, _ body: (UInt8) -> Void) {
        arena.withUnsafeBytes { bytes in
            if statusAndFlags[i] & RosterBuilder.emailFromName != 0 {
                for byte in bytes[range(i, .name)] { body(RosterBuilder.emailByte(ofName: byte)) }
            }
            for byte in bytes[range(i, .emailRest)] { body(byte) }
        }
        for byte in domains[Int(emailDomain[i])] { body(byte) }
    }

    func emailLength(_ i: Int) -> Int {
        (statusAndFlags[i] & RosterBuilder.emailFromName != 0 ? range(i, .name).count : 0) + range(i, .emailRest).count
            + domains[Int(emailDomain[i])].count
    }

    func sameEmail(_ a: Int, _ b: Int) -> Bool {
        guard emailLength(a) == emailLength(b) else { return false }
        var left: [UInt8] = []
        var right: [UInt8] = []
        emailBytes(a) { left.append(TextScan.lower($0)) }
        emailBytes(b) { right.append(TextScan.lower($0)) }
        return left == right
    }

    func email(_ i: Int) -> String {
        var bytes: [UInt8] = []
        emailBytes(i) { bytes.append($0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func id(_ i: Int) -> String { string(i, .id) }
    public func name(_ i: Int) -> String { string(i, .name) }
    public func roleName(_ i: Int) -> String { roleNames[Int(role[i])] }
    public func stateName(_ i: Int) -> String { stateNames[Int(state[i])] }
    public func cityName(_ i: Int) -> String { cityNames[Int(city[i])] }
    public func isActive(_ i: Int) -> Bool { Int(statusAndFlags[i] & 0x7F) == activeStatus }
    public func statusName(_ i: Int) -> String { statusNames[Int(statusAndFlags[i] & 0x7F)] }
    public func certifications(_ i: Int) -> [String] { certificationLists[Int(certificationList[i])] }

    /// Whether worker `i` works `shift` ("1st"…); nil when the shift name is unknown.
    func works(_ i: Int, shift: String) -> Bool? {
        WorkSchedule.shifts.firstIndex(of: shift).map { schedule[i] & (1 << UInt16($0)) != 0 }
    }

    /// Whether worker `i` works `day` ("mon"…); nil when the day name is unknown.
    func works(_ i: Int, day: String) -> Bool? {
        WorkSchedule.days.firstIndex(of: day).map { schedule[i] & (1 << UInt16(3 + $0)) != 0 }
    }

    /// Worker `i` as the shared `Worker` type. Shifts and days come back in `WorkSchedule` order;
    /// coordinates and pay in the shortest decimal that the stored `Float` rounds to, which is the
    /// file's own value whenever it had at most 7 significant digits.
    public func worker(_ i: Int) -> Worker {
        let bits = schedule[i]
        return Worker(
            id: id(i), name: name(i), role: roleName(i), skills: skillLists[Int(skillList[i])],
            certifications: certifications(i), city: cityName(i), state: stateName(i),
            lat: Self.widen(lat[i]), lon: Self.widen(lon[i]),
            shifts: WorkSchedule.shifts.indices.filter { bits & (1 << UInt16($0)) != 0 }.map { WorkSchedule.shifts[$0] },
            days: WorkSchedule.days.indices.filter { bits & (1 << UInt16(3 + $0)) != 0 }.map { WorkSchedule.days[$0] },
            payRate: Self.widen(payRate[i]), status: statusName(i), phone: phone(i), email: email(i))
    }

    static func widen(_ value: Float) -> Double {
        // The fewest decimals that give `value` back, found by arithmetic: an integer below 2^53
        // divided by an exact power of ten is the correctly rounded double of that decimal, which
        // is what parsing the shortest description gives (without a String per number; a fill's
        // candidates take dozens of these). Anything else parses the description.
        let wide = Double(value)
        // Below 2^23 a Float's spacing is under 1, so its shortest decimal never rounds to tens.
        if value.isFinite && abs(value) < 8_388_608 {
            var scale = 1.0
            for _ in 0...9 {
                let scaled = (wide * scale).rounded(.toNearestOrEven)
                guard abs(scaled) < 9_007_199_254_740_992 else { break }
                let candidate = scaled / scale
                if Float(candidate) == value { return candidate }
                scale *= 10
            }
        }
        return Double(value.description) ?? wide
    }

    /// Bytes held by the columns, the arena and the tables (the `/metrics` gauge; RSS adds the runtime).
    public var memoryBytes: Int {
        arena.capacity + arenaStart.count * 4 + lengths.count + phoneDigits.count * 8 + phoneFormat.count * 2 + emailDomain.count * 2
            + statusAndFlags.count + (role.count + city.count + state.count + schedule.count + certificationList.count) * 2
            + (lat.count + lon.count + payRate.count + skillList.count) * 4
            + (ids?.memoryBytes ?? 0) + names.memoryBytes + phones.memoryBytes + emails.memoryBytes
    }
}

/// Keys derived from roster fields and from e-mail text alike.
enum RosterKey {
    /// A phone number reduced to its digits as one integer: 10 digits, or 11 starting with the
    /// North American country code 1 (dropped). Other lengths are not phone numbers here.
    static func phoneNumber(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        for byte in bytes where TextScan.isDigit(byte) {
            digits += 1
            guard digits <= 11 else { return nil }
            value = value * 10 + UInt64(byte - 48)
        }
        if digits == 11 {
            guard value / 10_000_000_000 == 1 else { return nil }
            return value % 10_000_000_000
        }
        return digits == 10 ? value : nil
    }
}
