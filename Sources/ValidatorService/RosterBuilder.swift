import LakehouseKit

/// Assigns small integers to repeated values (roles, cities, whole certification lists).
struct Interner<Key: Hashable>: Sendable where Key: Sendable {
    private(set) var names: [Key] = []
    private var codes: [Key: Int] = [:]

    mutating func code(_ key: Key) -> Int {
        if let code = codes[key] { return code }
        codes[key] = names.count
        names.append(key)
        return names.count - 1
    }
}

/// Accumulates workers into `CompactRoster`'s columns. Columns are reserved for the expected count
/// up front (the loader counts lines first) so they end exactly sized.
struct RosterBuilder {
    private(set) var count = 0
    var arena: [UInt8] = []
    var arenaStart: [UInt32] = [0]
    var lengths: [UInt8] = []
    var role: [UInt16] = []
    var city: [UInt16] = []
    var state: [UInt16] = []
    var status: [UInt8] = []
    var schedule: [UInt16] = []
    var lat: [Float] = []
    var lon: [Float] = []
    var payRate: [Float] = []
    var certificationList: [UInt32] = []
    var skillList: [UInt32] = []
    var roles = Interner<String>()
    var cities = Interner<String>()
    var states = Interner<String>()
    var statuses = Interner<String>()
    var certificationLists = Interner<[String]>()
    var skillLists = Interner<[String]>()

    init(expectedCount: Int) {
        arena.reserveCapacity(expectedCount * 64)
        arenaStart.reserveCapacity(expectedCount + 1)
        lengths.reserveCapacity(expectedCount * 3)
        role.reserveCapacity(expectedCount)
        city.reserveCapacity(expectedCount)
        state.reserveCapacity(expectedCount)
        status.reserveCapacity(expectedCount)
        schedule.reserveCapacity(expectedCount)
        lat.reserveCapacity(expectedCount)
        lon.reserveCapacity(expectedCount)
        payRate.reserveCapacity(expectedCount)
        certificationList.reserveCapacity(expectedCount)
        skillList.reserveCapacity(expectedCount)
    }

    /// Why a worker cannot be held (a message for the caller to put a line number on).
    struct Rejection: Error {
        let message: String
    }

    /// Two workers with the same id: their indices, in order.
    struct DuplicateID: Error {
        let first: Int
        let second: Int
    }

    /// Adds one worker.
    mutating func append(_ w: RosterRecord) throws(Rejection) {
        for (field, value) in [("id", w.id), ("name", w.name), ("phone", w.phone)] where value.utf8.count > 255 {
            throw Rejection(message: "field '\(field)' is longer than 255 bytes")
        }
        guard !w.id.isEmpty else { throw Rejection(message: "field 'id' is empty") }
        var scheduleBits: UInt16 = 0
        for shift in w.shifts {
            guard let k = WorkSchedule.shifts.firstIndex(of: shift) else {
                throw Rejection(message: "field 'shifts': '\(shift)' is not one of \(WorkSchedule.shifts.joined(separator: ", "))")
            }
            scheduleBits |= 1 << UInt16(k)
        }
        for day in w.days {
            guard let k = WorkSchedule.days.firstIndex(of: day) else {
                throw Rejection(message: "field 'days': '\(day)' is not one of \(WorkSchedule.days.joined(separator: ", "))")
            }
            scheduleBits |= 1 << UInt16(3 + k)
        }
        let roleCode = try Self.small(roles.code(w.role), "roles")
        let cityCode = try Self.small(cities.code(w.city), "cities")
        let stateCode = try Self.small(states.code(w.state), "states")
        let statusCode = statuses.code(w.status)
        guard statusCode < 256 else { throw Rejection(message: "more than 256 different statuses") }
        guard arena.count + w.id.utf8.count + w.name.utf8.count + w.phone.utf8.count + w.email.utf8.count <= Int(UInt32.max) else {
            throw Rejection(message: "the roster's strings exceed 4 GiB")
        }
        lengths.append(UInt8(w.id.utf8.count))
        lengths.append(UInt8(w.name.utf8.count))
        lengths.append(UInt8(w.phone.utf8.count))
        arena.append(contentsOf: w.id.utf8)
        arena.append(contentsOf: w.name.utf8)
        arena.append(contentsOf: w.phone.utf8)
        arena.append(contentsOf: w.email.utf8)
        arenaStart.append(UInt32(arena.count))
        role.append(roleCode)
        city.append(cityCode)
        state.append(stateCode)
        status.append(UInt8(statusCode))
        schedule.append(scheduleBits)
        lat.append(Float(w.lat))
        lon.append(Float(w.lon))
        payRate.append(Float(w.payRate))
        certificationList.append(UInt32(certificationLists.code(w.certifications)))
        skillList.append(UInt32(skillLists.code(w.skills)))
        count += 1
    }

    private static func small(_ code: Int, _ what: String) throws(Rejection) -> UInt16 {
        guard code <= Int(UInt16.max) else { throw Rejection(message: "more than 65536 different \(what)") }
        return UInt16(code)
    }

    /// Builds the id, name, phone and e-mail tables and the roster; a repeated id is an error.
    consuming func finish() throws(DuplicateID) -> CompactRoster {
        let n = count
        let starts = arenaStart
        let lengths = self.lengths
        var ids = RosterKeyTable(expectedCount: n)
        var names = RosterKeyTable(expectedCount: n)
        var phones = RosterKeyTable(expectedCount: n)
        var emails = RosterKeyTable(expectedCount: n)
        var duplicate: DuplicateID?
        arena.withUnsafeBytes { bytes in
            func key(_ i: Int, _ field: CompactRoster.ArenaField) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: bytes[CompactRoster.range(starts, lengths, i, field)])
            }
            for i in 0..<n {
                let id = key(i, .id)
                if let first = ids.insert(i, hash: RosterKeyTable.hash(id), sameKey: { key($0, .id).elementsEqual(id) }) {
                    duplicate = DuplicateID(first: first, second: i)
                    return
                }
                let name = key(i, .name)
                _ = names.insert(i, hash: RosterKeyTable.hash(name)) { key($0, .name).elementsEqual(name) }
                if let number = RosterKey.phoneNumber(key(i, .phone)) {
                    _ = phones.insert(i, hash: RosterKeyTable.mix(number)) { RosterKey.phoneNumber(key($0, .phone)) == number }
                }
                let email = key(i, .email)
                if !email.isEmpty {
                    _ = emails.insert(i, hash: RosterKeyTable.hashFoldingCase(email)) { other in
                        let stored = key(other, .email)
                        return stored.count == email.count && zip(stored, email).allSatisfy { TextScan.lower($0) == TextScan.lower($1) }
                    }
                }
            }
        }
        if let duplicate { throw duplicate }
        return CompactRoster(builder: self, ids: ids, names: names, phones: phones, emails: emails)
    }
}
