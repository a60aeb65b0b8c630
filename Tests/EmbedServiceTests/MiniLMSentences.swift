/// Deterministic test sentences for the MiniLM tokeniser and encoder: staffing phrases mixed with
/// accents, CJK, emoji, punctuation runs, control and odd whitespace, combining marks, scripts
/// with spacing marks, very long words, texts beyond the 256-token limit, and the empty text.
enum MiniLMSentences {
    static let fragments: [String] = [
        "forklift operator", "Toledo, OH", "2nd shift", "registered nurse", "CDL-A driver", "warehouse associate",
        "Need 3 forklift operators in Toledo, OH for Monday", "W-000123", "$18.50/hr", "50%", "+1-419-555-0142",
        "maria.lopez@example.com", "3.14159", "1,000,000", "FORKLIFT Operator", "McDonald's", "O'Brien", "e-mail",
        "Café", "naïve", "résumé", "Zürich", "São Paulo", "Ångström", "façade", "crème brûlée", "İstanbul", "Straße",
        "ΑΘΗΝΑ Σίσυφος", "Ωμέγα", "Ďábelské ódy", "ŁÓDŹ", "Ærøskøbing",
        "東京タワー", "北京欢迎你", "한국어 텍스트", "日本語のテキスト", "𠀋𡈽", "中文，标点。", "ｆｕｌｌｗｉｄｔｈ", "ＡＢＣ",
        "😀", "🫠", "👍🏽", "👩‍👩‍👧", "🇺🇸", "❤️", "✨✨✨", "🚜 driver",
        "!!!???", "...", "—–-", "«quoted»", "“smart quotes”", "(parens)[brackets]{braces}", "#hashtag @mention",
        "a/b\\c", "~`^|<>=+", "¿Qué?", "¡Hola!", "•bullet", "§ 12", "©®™", "€100", "°C", "½", "‰", "⁂",
        "\t", "\n", "\r\n", "\u{00A0}", "\u{2003}", "\u{200B}", "\u{0000}", "\u{FFFD}", "\u{7F}", "\u{202E}", "\u{FEFF}",
        "\u{0085}", "\u{2028}", "\u{E000}", "\u{1F}",
        "e\u{0301}", "a\u{0308}o\u{0323}", "हिन्दी", "ภาษาไทย", "مرحبا بالعالم", "שלום", "ﬁancé", "Ⅻ", "①②", "ǅ",
        "[CLS]", "[SEP] x", "[UNK]", "[MASK]", "[PAD]", "[cls]", "x[SEP]y",
        "supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis",
        String(repeating: "abcdefghij", count: 10), String(repeating: "abcdefghij", count: 11), String(repeating: "é", count: 101),
        "antidisestablishmentarianism", "unbelievably", "reach-truck", "pallet jack", "OSHA-10", "x" + String(repeating: "z", count: 99),
    ]
    static let separators = [" ", "", "  ", "\t", "\n", ", ", "-", "!"]

    /// `count` sentences from a fixed seed; the first few are fixed edge cases.
    static func varied(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> Int {
            // SplitMix64.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
        }
        var sentences = [
            "", " ", "\n\t ", "Hello, World!", String(repeating: "forklift operator ", count: 300),
            String(repeating: "東", count: 400), String(repeating: "a", count: 5000), String(repeating: "!", count: 300),
        ]
        while sentences.count < count {
            let parts = next() % 13
            var text = ""
            for index in 0..<parts {
                if index > 0 { text += separators[next() % separators.count] }
                text += fragments[next() % fragments.count]
            }
            sentences.append(text)
        }
        return Array(sentences.prefix(count))
    }
}
