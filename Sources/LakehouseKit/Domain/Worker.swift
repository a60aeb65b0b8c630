/// One worker of the roster (SPEC §5), as the generator writes it, matrixd indexes it, validatord
/// loads it and the drafter reads it. `payRate`, `phone` and `email` are internal: they must never
/// reach a client-facing e-mail (EmailValidator's `salary_disclosure` and `contact_leak`).
public struct Worker: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var role: String
    public var skills: [String]
    public var certifications: [String]
    public var city: String
    public var state: String
    public var lat: Double
    public var lon: Double
    /// "1st", "2nd", "3rd".
    public var shifts: [String]
    /// "mon" … "sun".
    public var days: [String]
    public var payRate: Double
    /// "active" or "inactive".
    public var status: String
    public var phone: String
    public var email: String

    enum CodingKeys: String, CodingKey {
        case id, name, role, skills, certifications, city, state, lat, lon, shifts, days
        case payRate = "pay_rate"
        case status, phone, email
    }

    public init(id: String, name: String, role: String, skills: [String], certifications: [String], city: String, state: String,
                lat: Double, lon: Double, shifts: [String], days: [String], payRate: Double, status: String, phone: String, email: String) {
        self.id = id
        self.name = name
        self.role = role
        self.skills = skills
        self.certifications = certifications
        self.city = city
        self.state = state
        self.lat = lat
        self.lon = lon
        self.shifts = shifts
        self.days = days
        self.payRate = payRate
        self.status = status
        self.phone = phone
        self.email = email
    }

    public var isActive: Bool { status == "active" }
}

/// Shift and day spellings shared by the generator, request understanding and the validators.
public enum WorkSchedule {
    public static let shifts = ["1st", "2nd", "3rd"]
    public static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
}
