import Foundation

/// The export scan (SPEC §6: no SSN shape, no pay figure, no worker phone or e-mail in any sample).
/// Deliberately generic, needing no roster: any 9-digit SSN shape, any dollar amount or figure per
/// hour/year, any e-mail address, any North-American phone shape. Stricter than validatord's
/// rules on purpose: it guards training data, where a false positive costs one sample and a false
/// negative leaks a person's data into a model.
public enum PersonalDataScan {
    public enum Finding: String, Codable, Sendable, Hashable, CaseIterable {
        case ssnShape = "ssn_shape"
        case payFigure = "pay_figure"
        case emailAddress = "email_address"
        case phoneNumber = "phone_number"
    }

    private static let ssn = try! NSRegularExpression(pattern: #"(?<![0-9])[0-9]{3}[-. ]?[0-9]{2}[-. ]?[0-9]{4}(?![0-9])"#)
    private static let pay = try! NSRegularExpression(
        pattern: #"\$\s?[0-9]|(?<![A-Za-z0-9-])[0-9][0-9,]*(\.[0-9]+)?\s*(/\s?(hr|hour|h|yr|year)\b|(dollars|usd|per hour|an hour|hourly|per year|a year|k a year)\b)|(?i:\b(pay|rate|wage|wages|salary|earns?|paid)\b[^.\n0-9]{0,24}[0-9])"#)
    private static let email = try! NSRegularExpression(pattern: #"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"#)
    private static let phone = try! NSRegularExpression(
        pattern: #"(?<![0-9])(\+?1[-. ]?)?(\([0-9]{3}\)\s?|[0-9]{3}[-. ])[0-9]{3}[-. ][0-9]{4}(?![0-9])|(?<![0-9-])[0-9]{3}-[0-9]{4}(?![0-9])"#)

    /// Every kind of personal data found in `text` (empty when clean).
    public static func findings(in text: String) -> [Finding] {
        let range = NSRange(text.startIndex..., in: text)
        var found: [Finding] = []
        if ssn.firstMatch(in: text, range: range) != nil { found.append(.ssnShape) }
        if pay.firstMatch(in: text, range: range) != nil { found.append(.payFigure) }
        if email.firstMatch(in: text, range: range) != nil { found.append(.emailAddress) }
        if phone.firstMatch(in: text, range: range) != nil { found.append(.phoneNumber) }
        return found
    }

    public static func isClean(_ text: String) -> Bool { findings(in: text).isEmpty }
}
