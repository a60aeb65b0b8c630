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
