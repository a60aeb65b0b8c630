/// English plurals of role phrases ("forklift operator" → "forklift operators", "cdl-a driver" →
/// "cdl-a drivers", "rn" → "rns", "waitress" → "waitresses"), shared by the generator's
/// `roles.json` and matrixd's role extractor so both spell them the same way.
public enum RoleNames {
    /// The plural of a phrase: its last word pluralised.
    public static func plural(_ phrase: String) -> String {
        guard let space = phrase.lastIndex(of: " ") else { return pluralWord(phrase) }
        return String(phrase[...space]) + pluralWord(String(phrase[phrase.index(after: space)...]))
    }

    static func pluralWord(_ word: String) -> String {
        if word.count <= 4 && word.allSatisfy({ $0.isLetter }) && !word.contains(where: { "aeiou".contains($0) }) {
            return word + "s"  // abbreviations: rns, cnas (vowel-free), csrs
        }
        if word == "tech" { return "techs" }  // a hard "ch"
        if word.hasSuffix("man") { return String(word.dropLast(3)) + "men" }
        for suffix in ["s", "sh", "ch", "x", "z"] where word.hasSuffix(suffix) { return word + "es" }
        if word.hasSuffix("y"), let before = word.dropLast().last, !"aeiou".contains(before) { return String(word.dropLast()) + "ies" }
        return word + "s"
    }
}
