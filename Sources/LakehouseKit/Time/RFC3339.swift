/// RFC 3339 §5.6 `date-time` (`2026-11-21T12:00:00.123Z`, `2026-11-21T07:00:00-05:00`), parsed
/// strictly with field ranges checked, without Foundation's formatters (which are slow and lenient).
public enum RFC3339 {
    /// Seconds since the Unix epoch (UTC) of a valid date-time, else nil.
    public static func secondsSinceEpoch(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        func byte(_ at: Int, _ c: UInt8) -> Bool { at < b.count && b[at] == c }
        guard let year = digits(0, 4), byte(4, 0x2D), let month = digits(5, 2), byte(7, 0x2D), let day = digits(8, 2),
              byte(10, 0x54) || byte(10, 0x74), let hour = digits(11, 2), byte(13, 0x3A), let minute = digits(14, 2),
              byte(16, 0x3A), let second = digits(17, 2)
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var i = 19
        var fraction = 0.0
        if byte(i, 0x2E) {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count && b[i] >= 48 && b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offsetSeconds = 0
        if byte(i, 0x5A) || byte(i, 0x7A) {
            guard i + 1 == b.count else { return nil }
        } else {
            guard byte(i, 0x2B) || byte(i, 0x2D), let oh = digits(i + 1, 2), byte(i + 3, 0x3A), let om = digits(i + 4, 2),
                  oh < 24, om < 60, i + 6 == b.count
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (byte(i, 0x2D) ? -1 : 1)
        }
        // Days from the civil date (Howard Hinnant's algorithm), proleptic Gregorian.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
    }

    public static func isValid(_ text: String) -> Bool { secondsSinceEpoch(text) != nil }
}
