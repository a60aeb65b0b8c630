import Glibc
import LakehouseKit

/// The roster held in memory in a compact, immutable form (SPEC §6: 500,000 workers in ≤ 75 MB).
///
/// Column per field: roles, cities, states and statuses are interned to small integers; shifts and
/// days are one 10-bit set; certification and skill lists are interned as whole lists (rosters
/// repeat the same few combinations); coordinates and pay are `Float`; id, name, phone and e-mail
/// of every worker sit back to back in one byte arena. Four hash tables of worker indices answer
/// "which worker has this id / full name / phone / e-mail" without copying a key.
public final class CompactRoster: Sendable {
    public let count: Int
    /// Worker `i`'s strings start at `arenaStart[i]`: id, name, phone (lengths in `lengths`), then
    /// the e-mail up to `arenaStart[i + 1]`.
    let arena: [UInt8]
    let arenaStart: [UInt32]
    /// id, name and phone byte lengths, three per worker.
    let lengths: [UInt8]
    let role: [UInt16]
    let city: [UInt16]
    let state: [UInt16]
    let status: [UInt8]
    /// Bits 0–2: shifts (`WorkSchedule.shifts` order); bits 3–9: days (`WorkSchedule.days` order).
    let schedule: [UInt16]
    let lat: [Float]
    let lon: [Float]
    let payRate: [Float]
    let certificationList: [UInt32]
    let skillList: [UInt32]

    let roleNames: [String]
    let cityNames: [String]
    let stateNames: [String]
    let statusNames: [String]
    let certificationLists: [[String]]
    let skillLists: [[String]]
    /// Index of "active" in `statusNames`, or -1.
    let activeStatus: Int

    let ids: RosterKeyTable
    let names: RosterKeyTable
    let phones: RosterKeyTable
    let emails: RosterKeyTable

    init(builder: consuming RosterBuilder, ids: RosterKeyTable, names: RosterKeyTable, phones: RosterKeyTable, emails: RosterKeyTable) {
        count = builder.count
        arenaStart = builder.arenaStart
        // An exactly sized copy: the builder's arena grew geometrically.
        let source = builder.arena
        arena = [UInt8](unsafeUninitializedCapacity: source.count) { buffer, initialized in
            initialized = source.withUnsafeBufferPointer { buffer.initialize(fromContentsOf: $0) }
        }
        lengths = builder.lengths
        role = builder.role
        city = builder.city
        state = builder.state
        status = builder.status
        schedule = builder.schedule
        lat = builder.lat
        lon = builder.lon
        payRate = builder.payRate
        certificationList = builder.certificationList
        skillList = builder.skillList
        roleNames = builder.roles.names
        cityNames = builder.cities.names
        stateNames = builder.states.names
        statusNames = builder.statuses.names
        certificationLists = builder.certificationLists.names
        skillLists = builder.skillLists.names
        activeStatus = statusNames.firstIndex(of: "active") ?? -1
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

    // MARK: - Lookups

    /// The index of the worker with this id, or nil.
    public func index(ofID id: String) -> Int? {
        var id = id
        return id.withUTF8 { key in
            ids.find(hash: RosterKeyTable.hash(UnsafeRawBufferPointer(key))) { idBytes($0, equal: UnsafeRawBufferPointer(key)) }
        }
    }

    /// Whether some roster worker's name is exactly these bytes.
    func hasName(_ key: UnsafeRawBufferPointer) -> Bool {
        names.find(hash: RosterKeyTable.hash(key)) { field($0, .name, equal: key) } != nil
    }

    /// A worker whose phone, reduced to its digits (`RosterKey.phoneNumber`), is `number`.
    func index(ofPhoneNumber number: UInt64) -> Int? {
        phones.find(hash: RosterKeyTable.mix(number)) { phoneNumber($0) == number }
    }

    /// A worker whose e-mail equals `key` ignoring ASCII case.
    func index(ofEmail key: UnsafeRawBufferPointer) -> Int? {
        emails.find(hash: RosterKeyTable.hashFoldingCase(key)) { field($0, .email, equalFoldingCase: key) }
    }

    // MARK: - Fields

    enum ArenaField: Int { case id = 0, name = 1, phone = 2, email = 3 }

    func range(_ i: Int, _ field: ArenaField) -> Range<Int> { Self.range(arenaStart, lengths, i, field) }

    static func range(_ starts: [UInt32], _ lengths: [UInt8], _ i: Int, _ field: ArenaField) -> Range<Int> {
        var start = Int(starts[i])
        let base = i * 3
        for k in 0..<field.rawValue { start += Int(lengths[base + k]) }
        if field == .email { return start..<Int(starts[i + 1]) }
        return start..<(start + Int(lengths[base + field.rawValue]))
    }

    func string(_ i: Int, _ field: ArenaField) -> String {
        let r = range(i, field)
        return arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r]), as: UTF8.self) }
    }

    func idBytes(_ i: Int, equal key: UnsafeRawBufferPointer) -> Bool { field(i, .id, equal: key) }

    func field(_ i: Int, _ field: ArenaField, equal key: UnsafeRawBufferPointer) -> Bool {
        let r = range(i, field)
        guard r.count == key.count else { return false }
        return arena.withUnsafeBytes { memcmp($0.baseAddress! + r.lowerBound, key.baseAddress!, r.count) == 0 }
    }

    func field(_ i: Int, _ field: ArenaField, equalFoldingCase key: UnsafeRawBufferPointer) -> Bool {
        let r = range(i, field)
        guard r.count == key.count else { return false }
        return arena.withUnsafeBytes { bytes in
            for k in 0..<r.count where TextScan.lower(bytes[r.lowerBound + k]) != TextScan.lower(key[k]) { return false }
            return true
        }
    }

    func phoneNumber(_ i: Int) -> UInt64? {
        arena.withUnsafeBytes { RosterKey.phoneNumber(UnsafeRawBufferPointer(rebasing: $0[range(i, .phone)])) }
    }

    public func id(_ i: Int) -> String { string(i, .id) }
    public func name(_ i: Int) -> String { string(i, .name) }
    public func roleName(_ i: Int) -> String { roleNames[Int(role[i])] }
    public func stateName(_ i: Int) -> String { stateNames[Int(state[i])] }
    public func cityName(_ i: Int) -> String { cityNames[Int(city[i])] }
    public func isActive(_ i: Int) -> Bool { Int(status[i]) == activeStatus }
    public func statusName(_ i: Int) -> String { statusNames[Int(status[i])] }
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
            id: string(i, .id), name: string(i, .name), role: roleName(i), skills: skillLists[Int(skillList[i])],
            certifications: certifications(i), city: cityName(i), state: stateName(i),
            lat: Self.widen(lat[i]), lon: Self.widen(lon[i]),
            shifts: WorkSchedule.shifts.indices.filter { bits & (1 << UInt16($0)) != 0 }.map { WorkSchedule.shifts[$0] },
            days: WorkSchedule.days.indices.filter { bits & (1 << UInt16(3 + $0)) != 0 }.map { WorkSchedule.days[$0] },
            payRate: Self.widen(payRate[i]), status: statusName(i), phone: string(i, .phone), email: string(i, .email))
    }

    static func widen(_ value: Float) -> Double { Double(value.description) ?? Double(value) }

    /// Bytes held by the columns, the arena and the tables (the `/metrics` gauge; RSS adds the runtime).
    public var memoryBytes: Int {
        arena.capacity + arenaStart.count * 4 + lengths.count + role.count * 2 + city.count * 2 + state.count * 2 + status.count
            + schedule.count * 2 + (lat.count + lon.count + payRate.count) * 4 + (certificationList.count + skillList.count) * 4
            + ids.memoryBytes + names.memoryBytes + phones.memoryBytes + emails.memoryBytes
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
