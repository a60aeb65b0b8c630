import Glibc
import LakehouseKit

/// One worker as byte views into its roster line (or into a scratch buffer for lines the fast
/// parser hands to the strict one). List fields are their JSON array text: rosters repeat the same
/// few lists, so the text is the interning key and is parsed once per distinct list.
struct RawWorker {
    var id = UnsafeRawBufferPointer(start: nil, count: 0)
    var name = UnsafeRawBufferPointer(start: nil, count: 0)
    var role = UnsafeRawBufferPointer(start: nil, count: 0)
    var city = UnsafeRawBufferPointer(start: nil, count: 0)
    var state = UnsafeRawBufferPointer(start: nil, count: 0)
    var status = UnsafeRawBufferPointer(start: nil, count: 0)
    var phone = UnsafeRawBufferPointer(start: nil, count: 0)
    var email = UnsafeRawBufferPointer(start: nil, count: 0)
    var skills = UnsafeRawBufferPointer(start: nil, count: 0)
    var certifications = UnsafeRawBufferPointer(start: nil, count: 0)
    var shifts = UnsafeRawBufferPointer(start: nil, count: 0)
    var days = UnsafeRawBufferPointer(start: nil, count: 0)
    var lat = 0.0
    var lon = 0.0
    var payRate = 0.0
}

/// Assigns small integers to repeated byte strings (roles, cities, list texts, phone formats),
/// looked up without allocating; `make` builds the value the first time a key is seen.
struct ByteInterner<Value: Sendable>: Sendable {
    private(set) var values: [Value] = []
    private(set) var keys: [[UInt8]] = []
    private var hashes: [UInt64] = []
    /// Open addressing over codes (−1 empty), power-of-two size, at most half full.
    private var slots = [Int32](repeating: -1, count: 16)

    var count: Int { values.count }

    mutating func code(_ key: UnsafeRawBufferPointer, make: (UnsafeRawBufferPointer) throws(RosterBuilder.Rejection) -> Value) throws(RosterBuilder.Rejection) -> Int {
        let hash = RosterKeyTable.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] >= 0 {
            let code = Int(slots[slot])
            if hashes[code] == hash && Self.equal(keys[code], key) { return code }
            slot = (slot + 1) & mask
        }
        let value = try make(key)
        let code = values.count
        slots[slot] = Int32(code)
        keys.append(Array(key))
        hashes.append(hash)
        values.append(value)
        if values.count * 2 > slots.count { grow() }
        return code
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (code, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code)
        }
    }

    private static func equal(_ stored: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        stored.count == key.count && (key.isEmpty || stored.withUnsafeBytes { memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 })
    }
}

/// Accumulates workers into `CompactRoster`'s columns. Columns are reserved for the expected count
/// up front (the loader counts lines first) so they end exactly sized.
struct RosterBuilder: Sendable {
    private(set) var count = 0
    var arena: [UInt8] = []
    var arenaStart: [UInt32] = [0]
    var lengths: [UInt8] = []
    var phoneDigits: [UInt64] = []
    var phoneFormat: [UInt16] = []
    var emailDomain: [UInt16] = []
    var statusAndFlags: [UInt8] = []
    var role: [UInt16] = []
    var city: [UInt16] = []
    var state: [UInt16] = []
    var schedule: [UInt16] = []
    var lat: [Float] = []
    var lon: [Float] = []
    var payRate: [Float] = []
    var certificationList: [UInt16] = []
    var skillList: [UInt32] = []
    var roles = ByteInterner<String>()
    var cities = ByteInterner<String>()
    var states = ByteInterner<String>()
    var statuses = ByteInterner<String>()
    var domains = ByteInterner<[UInt8]>()
    var phoneFormats = ByteInterner<[UInt8]>()
    var certificationLists = ByteInterner<[String]>()
    var skillLists = ByteInterner<[String]>()
    var shiftSets = ByteInterner<UInt16>()
    var daySets = ByteInterner<UInt16>()
    private var scratch: [UInt8] = []
    /// Key hashes, computed while the bytes are at hand and dropped once the tables are built.
    var idHashes: [UInt64] = []
    var nameHashes: [UInt64] = []
    var emailHashes: [UInt64] = []

    init(expectedCount: Int) {
        arena.reserveCapacity(expectedCount * 24)
        arenaStart.reserveCapacity(expectedCount + 1)
        lengths.reserveCapacity(expectedCount * 2)
        phoneDigits.reserveCapacity(expectedCount)
        phoneFormat.reserveCapacity(expectedCount)
        emailDomain.reserveCapacity(expectedCount)
        statusAndFlags.reserveCapacity(expectedCount)
        role.reserveCapacity(expectedCount)
        city.reserveCapacity(expectedCount)
        state.reserveCapacity(expectedCount)
        schedule.reserveCapacity(expectedCount)
        lat.reserveCapacity(expectedCount)
        lon.reserveCapacity(expectedCount)
        payRate.reserveCapacity(expectedCount)
        certificationList.reserveCapacity(expectedCount)
        skillList.reserveCapacity(expectedCount)
        idHashes.reserveCapacity(expectedCount)
        nameHashes.reserveCapacity(expectedCount)
        emailHashes.reserveCapacity(expectedCount)
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

    /// Bit 7 of `statusAndFlags`: the e-mail's local part starts with the name, lower-cased, spaces
    /// as dots (`maria.lopez…@`), and the arena holds only the rest of it.
    static let emailFromName: UInt8 = 0x80

    /// Adds one worker.
    mutating func append(_ w: RawWorker) throws(Rejection) {
        guard !w.id.isEmpty else { throw Rejection(message: "field 'id' is empty") }
        guard w.id.count <= 255 else { throw Rejection(message: "field 'id' is longer than 255 bytes") }
        guard w.name.count <= 255 else { throw Rejection(message: "field 'name' is longer than 255 bytes") }
        let roleCode = try Self.small(roles.code(w.role) { String(decoding: $0, as: UTF8.self) }, "roles")
        let cityCode = try Self.small(cities.code(w.city) { String(decoding: $0, as: UTF8.self) }, "cities")
        let stateCode = try Self.small(states.code(w.state) { String(decoding: $0, as: UTF8.self) }, "states")
        let statusCode = try statuses.code(w.status) { String(decoding: $0, as: UTF8.self) }
        guard statusCode < 128 else { throw Rejection(message: "more than 128 different statuses") }
        let shiftBits = try shiftSets.code(w.shifts) { text throws(Rejection) in try Self.scheduleBits(text, "shifts", WorkSchedule.shifts, shift: 0) }
        let dayBits = try daySets.code(w.days) { text throws(Rejection) in try Self.scheduleBits(text, "days", WorkSchedule.days, shift: 3) }
        let certificationCode = try Self.small(certificationLists.code(w.certifications) { text throws(Rejection) in try Self.list(text, "certifications") }, "certification lists")
        let skillCode = try skillLists.code(w.skills) { text throws(Rejection) in try Self.list(text, "skills") }

        // Phone: its format (digits as '#') interned, its digits as one integer.
        var digits: UInt64 = 0
        var digitCount = 0
        scratch.removeAll(keepingCapacity: true)
        for byte in w.phone {
            if TextScan.isDigit(byte) {
                digitCount += 1
                guard digitCount <= 18 else { throw Rejection(message: "field 'phone' has more than 18 digits") }
                digits = digits * 10 + UInt64(byte - 48)
                scratch.append(UInt8(ascii: "#"))
            } else {
                guard byte != UInt8(ascii: "#") else { throw Rejection(message: "field 'phone' contains '#'") }
                scratch.append(byte)
            }
        }
        var formats = phoneFormats
        phoneFormats = ByteInterner()  // moved out and back: the closure below must not overlap an access to self
        let formatCode = try scratch.withUnsafeBytes { format in
            Result { () throws(Rejection) in try Self.small(formats.code(format) { Array($0) }, "phone formats") }
        }.get()
        phoneFormats = formats

        // E-mail: the domain (from the last '@') interned; the local part without the name prefix.
        var at = w.email.count
        for k in stride(from: w.email.count - 1, through: 0, by: -1) where w.email[k] == UInt8(ascii: "@") {
            at = k
            break
        }
        let domainCode = try Self.small(domains.code(UnsafeRawBufferPointer(rebasing: w.email[at...])) { Array($0) }, "e-mail domains")
        var localStart = 0
        if w.name.count <= at && !w.name.isEmpty {
            var derived = true
            for k in 0..<w.name.count where Self.emailByte(ofName: w.name[k]) != w.email[k] {
                derived = false
                break
            }
            if derived { localStart = w.name.count }
        }
        guard arena.count + w.id.count + w.name.count + at - localStart <= Int(UInt32.max) else {
            throw Rejection(message: "the roster's strings exceed 4 GiB")
        }

        lengths.append(UInt8(w.id.count))
        lengths.append(UInt8(w.name.count))
        arena.append(contentsOf: w.id)
        arena.append(contentsOf: w.name)
        arena.append(contentsOf: UnsafeRawBufferPointer(rebasing: w.email[localStart..<at]))
        arenaStart.append(UInt32(arena.count))
        phoneDigits.append(digits)
        phoneFormat.append(formatCode)
        emailDomain.append(domainCode)
        statusAndFlags.append(UInt8(statusCode) | (localStart > 0 ? Self.emailFromName : 0))
        role.append(roleCode)
        city.append(cityCode)
        state.append(stateCode)
        schedule.append(shiftSets.values[shiftBits] | daySets.values[dayBits])
        lat.append(Float(w.lat))
        lon.append(Float(w.lon))
        payRate.append(Float(w.payRate))
        certificationList.append(certificationCode)
        skillList.append(UInt32(skillCode))
        idHashes.append(RosterKeyTable.hash(w.id))
        nameHashes.append(RosterKeyTable.hash(w.name))
        emailHashes.append(RosterKeyTable.hashFoldingCase(w.email))
        count += 1
    }

    /// Appends every worker of `other` (built from a later part of the same file), translating its
    /// interned codes into this builder's.
    mutating func absorb(_ other: RosterBuilder) throws(Rejection) {
        func translate<V>(_ mine: inout ByteInterner<V>, _ theirs: ByteInterner<V>) throws(Rejection) -> [Int] {
            var codes: [Int] = []
            codes.reserveCapacity(theirs.count)
            for k in 0..<theirs.count {
                let result = theirs.keys[k].withUnsafeBytes { key in
                    Result { () throws(Rejection) in try mine.code(key) { _ in theirs.values[k] } }
                }
                codes.append(try result.get())
            }
            return codes
        }
        let roleCodes = try translate(&roles, other.roles), cityCodes = try translate(&cities, other.cities)
        let stateCodes = try translate(&states, other.states), statusCodes = try translate(&statuses, other.statuses)
        let domainCodes = try translate(&domains, other.domains), formatCodes = try translate(&phoneFormats, other.phoneFormats)
        let certificationCodes = try translate(&certificationLists, other.certificationLists)
        let skillCodes = try translate(&skillLists, other.skillLists)
        guard statuses.count <= 128 else { throw Rejection(message: "more than 128 different statuses") }
        for (interner, what) in [(roles.count, "roles"), (cities.count, "cities"), (states.count, "states"), (domains.count, "e-mail domains"),
                                 (phoneFormats.count, "phone formats"), (certificationLists.count, "certification lists")] where interner > 65536 {
            throw Rejection(message: "more than 65536 different \(what)")
        }
        let offset = UInt64(arena.count)
        guard offset + UInt64(other.arena.count) <= UInt64(UInt32.max) else { throw Rejection(message: "the roster's strings exceed 4 GiB") }
        arena.append(contentsOf: other.arena)
        arenaStart.append(contentsOf: other.arenaStart.dropFirst().lazy.map { $0 + UInt32(offset) })
        lengths.append(contentsOf: other.lengths)
        phoneDigits.append(contentsOf: other.phoneDigits)
        phoneFormat.append(contentsOf: other.phoneFormat.lazy.map { UInt16(formatCodes[Int($0)]) })
        emailDomain.append(contentsOf: other.emailDomain.lazy.map { UInt16(domainCodes[Int($0)]) })
        statusAndFlags.append(contentsOf: other.statusAndFlags.lazy.map { UInt8(statusCodes[Int($0 & 0x7F)]) | ($0 & Self.emailFromName) })
        role.append(contentsOf: other.role.lazy.map { UInt16(roleCodes[Int($0)]) })
        city.append(contentsOf: other.city.lazy.map { UInt16(cityCodes[Int($0)]) })
        state.append(contentsOf: other.state.lazy.map { UInt16(stateCodes[Int($0)]) })
        schedule.append(contentsOf: other.schedule)
        lat.append(contentsOf: other.lat)
        lon.append(contentsOf: other.lon)
        payRate.append(contentsOf: other.payRate)
        certificationList.append(contentsOf: other.certificationList.lazy.map { UInt16(certificationCodes[Int($0)]) })
        skillList.append(contentsOf: other.skillList.lazy.map { UInt32(skillCodes[Int($0)]) })
        idHashes.append(contentsOf: other.idHashes)
        nameHashes.append(contentsOf: other.nameHashes)
        emailHashes.append(contentsOf: other.emailHashes)
        count += other.count
    }

    /// How a name's byte appears in an e-mail derived from it.
    @inline(__always) static func emailByte(ofName byte: UInt8) -> UInt8 {
        byte == UInt8(ascii: " ") ? UInt8(ascii: ".") : TextScan.lower(byte)
    }

    private static func small(_ code: Int, _ what: String) throws(Rejection) -> UInt16 {
        guard code <= Int(UInt16.max) else { throw Rejection(message: "more than 65536 different \(what)") }
        return UInt16(code)
    }

    /// A JSON array of strings, parsed strictly (once per distinct list text).
    static func list(_ text: UnsafeRawBufferPointer, _ field: String) throws(Rejection) -> [String] {
        var reader = JSONReader<RosterLineError>(text)
        var values: [String] = []
        do throws(RosterLineError) {
            guard try reader.peekKind() == .array else { throw RosterLineError(message: "field '\(field)' must be an array of strings") }
            try reader.readArray { (index, r) throws(RosterLineError) in
                guard try r.peekKind() == .string else { throw RosterLineError(message: "field '\(field)[\(index)]' must be a string") }
                values.append(try r.readString())
            }
            try reader.expectEnd()
        } catch {
            throw Rejection(message: error.message)
        }
        return values
    }

    static func scheduleBits(_ text: UnsafeRawBufferPointer, _ field: String, _ names: [String], shift: Int) throws(Rejection) -> UInt16 {
        var bits: UInt16 = 0
        for value in try list(text, field) {
            guard let k = names.firstIndex(of: value) else {
                throw Rejection(message: "field '\(field)': '\(value)' is not one of \(names.joined(separator: ", "))")
            }
            bits |= 1 << UInt16(shift + k)
        }
        return bits
    }

    /// Builds the id, name, phone and e-mail tables and the roster; a repeated id is an error.
    consuming func finish() throws(DuplicateID) -> CompactRoster {
        let idHashes = self.idHashes, nameHashes = self.nameHashes, emailHashes = self.emailHashes
        self.idHashes = []
        self.nameHashes = []
        self.emailHashes = []
        let draft = CompactRoster(builder: self)
        let n = draft.count
        var ids: RosterKeyTable?
        if draft.denseIDs == nil {
            var table = RosterKeyTable(expectedCount: n)
            for i in 0..<n {
                let hash = idHashes[i]
                let first = table.insert(i, hash: hash, sameKey: { idHashes[$0] == hash && draft.sameField($0, i, .id) }, rehash: { idHashes[$0] })
                if let first { throw DuplicateID(first: first, second: i) }
            }
            ids = table
        }
        var names = RosterKeyTable(expectedCount: 1024)
        var phones = RosterKeyTable(expectedCount: n)
        var emails = RosterKeyTable(expectedCount: n)
        for i in 0..<n {
            let nameHash = nameHashes[i]
            _ = names.insert(i, hash: nameHash, sameKey: { nameHashes[$0] == nameHash && draft.sameField($0, i, .name) }, rehash: { nameHashes[$0] })
            if let number = draft.phoneNumber(i) {
                _ = phones.insert(i, hash: RosterKeyTable.mix(number), sameKey: { draft.phoneNumber($0) == number },
                                  rehash: { RosterKeyTable.mix(draft.phoneNumber($0) ?? 0) })
            }
            let emailHash = emailHashes[i]
            if draft.emailLength(i) > 0 {
                _ = emails.insert(i, hash: emailHash, sameKey: { emailHashes[$0] == emailHash && draft.sameEmail($0, i) }, rehash: { emailHashes[$0] })
            }
        }
        return CompactRoster(draft, ids: ids, names: names, phones: phones, emails: emails)
    }
}
