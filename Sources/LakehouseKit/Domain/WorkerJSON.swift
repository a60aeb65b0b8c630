/// `Worker`'s JSON by hand: the same object its Codable conformance reads and writes (keys of
/// `Worker.CodingKeys`, every field required, unknown fields ignored), without generic coding.
/// Twenty of them cross each hop of a fill, several times.
extension Worker: JSONValueConvertible, JSONValueInitializable {
    public var jsonValue: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "role": .string(role),
            "skills": .array(skills.map(JSONValue.string)), "certifications": .array(certifications.map(JSONValue.string)),
            "city": .string(city), "state": .string(state), "lat": .number(lat), "lon": .number(lon),
            "shifts": .array(shifts.map(JSONValue.string)), "days": .array(days.map(JSONValue.string)),
            "pay_rate": .number(payRate), "status": .string(status), "phone": .string(phone), "email": .string(email),
        ])
    }

    public init(jsonValue: JSONValue) throws {
        guard case .object(let fields) = jsonValue else { throw JSONValueDecoder.Failure(path: "", message: "expected a worker object") }
        func string(_ key: String) throws -> String {
            guard case .string(let text) = fields[key] else { throw JSONValueDecoder.Failure(path: key, message: "expected a string") }
            return text
        }
        func number(_ key: String) throws -> Double {
            guard case .number(let value) = fields[key] else { throw JSONValueDecoder.Failure(path: key, message: "expected a number") }
            return value
        }
        func strings(_ key: String) throws -> [String] {
            guard case .array(let items) = fields[key] else { throw JSONValueDecoder.Failure(path: key, message: "expected an array of strings") }
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case .string(let text) = item else { throw JSONValueDecoder.Failure(path: key, message: "expected an array of strings") }
                out.append(text)
            }
            return out
        }
        self.init(id: try string("id"), name: try string("name"), role: try string("role"), skills: try strings("skills"),
                  certifications: try strings("certifications"), city: try string("city"), state: try string("state"),
                  lat: try number("lat"), lon: try number("lon"), shifts: try strings("shifts"), days: try strings("days"),
                  payRate: try number("pay_rate"), status: try string("status"), phone: try string("phone"), email: try string("email"))
    }
}

extension Worker {
    /// Writes the worker as `JSONValueEncoder` would (keys sorted), straight into `writer`.
    public func write(to writer: inout JSONWriter) {
        func strings(_ list: [String]) {
            writer.raw("[")
            for (i, item) in list.enumerated() {
                if i > 0 { writer.raw(",") }
                writer.string(item)
            }
            writer.raw("]")
        }
        writer.raw("{\"certifications\":")
        strings(certifications)
        writer.raw(",\"city\":")
        writer.string(city)
        writer.raw(",\"days\":")
        strings(days)
        writer.raw(",\"email\":")
        writer.string(email)
        writer.raw(",\"id\":")
        writer.string(id)
        writer.raw(",\"lat\":")
        writer.number(lat)
        writer.raw(",\"lon\":")
        writer.number(lon)
        writer.raw(",\"name\":")
        writer.string(name)
        writer.raw(",\"pay_rate\":")
        writer.number(payRate)
        writer.raw(",\"phone\":")
        writer.string(phone)
        writer.raw(",\"role\":")
        writer.string(role)
        writer.raw(",\"shifts\":")
        strings(shifts)
        writer.raw(",\"skills\":")
        strings(skills)
        writer.raw(",\"state\":")
        writer.string(state)
        writer.raw(",\"status\":")
        writer.string(status)
        writer.raw("}")
    }

    /// Reads one worker object with the pull reader: the fields of `CodingKeys` (all required, with
    /// their types), others skipped. Anything else is a `Failure.syntax` (the caller falls back).
    public static func read<Failure: JSONReaderFailure>(_ reader: inout JSONReader<Failure>) throws(Failure) -> Worker {
        var id, name, role, city, state, status, phone, email: String?
        var skills, certifications, shifts, days: [String]?
        var lat, lon, payRate: Double?
        func strings(_ reader: inout JSONReader<Failure>) throws(Failure) -> [String] {
            guard try reader.peekKind() == .array else { throw .syntax("worker: expected an array of strings") }
            var out: [String] = []
            try reader.readArray { (_, r) throws(Failure) in
                guard try r.peekKind() == .string else { throw .syntax("worker: expected an array of strings") }
                out.append(try r.readString())
            }
            return out
        }
        func string(_ reader: inout JSONReader<Failure>) throws(Failure) -> String {
            guard try reader.peekKind() == .string else { throw .syntax("worker: expected a string") }
            return try reader.readString()
        }
        func number(_ reader: inout JSONReader<Failure>) throws(Failure) -> Double {
            guard try reader.peekKind() == .number else { throw .syntax("worker: expected a number") }
            return try reader.readDouble()
        }
        guard try reader.peekKind() == .object else { throw .syntax("worker: expected an object") }
        try reader.readObject { (key, r) throws(Failure) in
            switch key {
            case "id": id = try string(&r)
            case "name": name = try string(&r)
            case "role": role = try string(&r)
            case "city": city = try string(&r)
            case "state": state = try string(&r)
            case "status": status = try string(&r)
            case "phone": phone = try string(&r)
            case "email": email = try string(&r)
            case "skills": skills = try strings(&r)
            case "certifications": certifications = try strings(&r)
            case "shifts": shifts = try strings(&r)
            case "days": days = try strings(&r)
            case "lat": lat = try number(&r)
            case "lon": lon = try number(&r)
            case "pay_rate": payRate = try number(&r)
            default: try r.skipValue()
            }
        }
        guard let id, let name, let role, let city, let state, let status, let phone, let email, let skills, let certifications,
              let shifts, let days, let lat, let lon, let payRate else { throw .syntax("worker: a field is missing") }
        return Worker(id: id, name: name, role: role, skills: skills, certifications: certifications, city: city, state: state, lat: lat, lon: lon,
                      shifts: shifts, days: days, payRate: payRate, status: status, phone: phone, email: email)
    }
}

/// The fill's big messages (`IterateRequest`, `FillDraftContext`) are a few small fields plus a list
/// of twenty-odd workers. These code the workers by hand (`Worker.write`/`read`) and the rest with
/// the tree coders; both give the same JSON as `JSONTree`.
public enum WorkerListJSON {
    /// The JSON of `value` (whose workers list under `key` is left empty) with `workers` under `key`.
    public static func bytes<T: Encodable>(_ value: T, workers: [Worker], under key: String) throws -> [UInt8] {
        guard case .object(var fields) = try JSONValueEncoder.encode(value) else { return try JSONTree.encode(value) }
        fields[key] = .array([])
        var writer = JSONWriter(capacity: 1024 + workers.count * 420)
        writer.raw("{")
        for (i, name) in fields.keys.sorted().enumerated() {
            if i > 0 { writer.raw(",") }
            writer.string(name)
            writer.raw(":")
            if name == key {
                writer.raw("[")
                for (j, worker) in workers.enumerated() {
                    if j > 0 { writer.raw(",") }
                    worker.write(to: &writer)
                }
                writer.raw("]")
            } else {
                writer.value(fields[name]!)
            }
        }
        writer.raw("}")
        return writer.bytes
    }

    /// `T` decoded from `body` with its workers list under `key` read by hand and returned beside
    /// it (`T`'s own list comes back empty); nil when the body is not exactly such an object (the
    /// caller then decodes the slow way, which also words the error).
    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], workersUnder key: String) -> (value: T, workers: [Worker])? {
        body.withUnsafeBytes { raw -> (value: T, workers: [Worker])? in
            var reader = JSONReader<APIError>(raw)
            var rest: [String: JSONValue] = [:]
            var workers: [Worker]?
            do {
                guard try reader.peekKind() == .object else { return nil }
                try reader.readObject { (name, r) throws(APIError) in
                    if name == key {
                        guard try r.peekKind() == .array else { throw .syntax("not a list of workers") }
                        var list: [Worker] = []
                        try r.readArray { (_, item) throws(APIError) in list.append(try Worker.read(&item)) }
                        workers = list
                    } else {
                        rest[name] = try r.readValue()
                    }
                }
                try reader.expectEnd()
            } catch {
                return nil
            }
            guard let workers else { return nil }
            rest[key] = .array([])
            guard let value = try? JSONValueDecoder.decode(type, from: .object(rest)) else { return nil }
            return (value, workers)
        }
    }
}
