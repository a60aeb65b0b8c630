/// The embedded default provider's algorithm: deterministic feature hashing of normalised text.
///
/// A text is folded (`TextFolding`: lowercase, diacritics removed) and split into words at every
/// scalar that is not a letter or digit. Its features are
/// - every word (unigram, weight 1.0),
/// - every pair of adjacent words (bigram, weight 0.6),
/// - every character trigram of each word padded with begin/end markers, so "cat" gives
///   "^ca", "cat", "at$" (weight 0.3 each; a word has as many trigrams as characters).
///
/// Each distinct feature adds `classWeight × (1 + ln tf)` (sublinear term frequency) with a sign to
/// one of `dims` buckets chosen by its hash, and the sum is L2-normalised. The hash is our own
/// (FNV-1a over scalar values, finished by the MurmurHash3 mixer), and `ln` is computed with basic
/// IEEE operations only, so a text embeds to the same bits in every process and on every machine
/// (given the Unicode data of the same Swift toolchain, which `TextFolding` reads).
///
/// The result is lexical, not semantic: texts sharing words and spellings score close; synonyms do not.
///
/// A text with no letters or digits (empty, whitespace, punctuation only) embeds to one fixed unit
/// vector: a single ±1 in a bucket of its own hash. Every vector this returns therefore has unit norm,
/// cosine similarity is always defined, and all such texts are identical to each other.
public struct HashEmbedder: Sendable {
    public static let defaultDims = 384
    public static let dimsRange: ClosedRange<Int> = 1...4096

    public let dims: Int

    public init(dims: Int = HashEmbedder.defaultDims) {
        precondition(Self.dimsRange.contains(dims), "hash embedder dims must be in \(Self.dimsRange)")
        self.dims = dims
    }

    public func embed(_ text: String) -> [Float] {
        var text = text
        return text.withUTF8 { embed(utf8: $0) }
    }

    /// Embeds valid UTF-8 (as every Swift `String` holds). Invalid sequences are read as separators.
    public func embed(utf8: UnsafeBufferPointer<UInt8>) -> [Float] {
        var extractor = FeatureExtractor(capacity: utf8.count * 2 + 8)
        extractor.read(utf8)
        return project(extractor.features)
    }

    // MARK: - Features

    /// Feature classes live in the top two bits of a feature, so equal hashes of different classes
    /// stay distinct and the projection knows each feature's weight.
    fileprivate enum FeatureClass: UInt64 {
        case unigram = 0, bigram = 1, trigram = 2, noToken = 3
    }

    private static let classWeights: [Double] = [1.0, 0.6, 0.3, 1.0]

    /// The one feature of a text without words.
    private static let noTokenFeature = FeatureExtractor.tag(StableHash.mix(0x5EED_0004), .noToken)

    /// Splits text into folded words and lists their features (with repeats: counting comes later).
    /// A struct with mutating methods rather than closures over locals, so the hot loop has no
    /// captured variables to box or check for exclusive access at run time.
    private struct FeatureExtractor {
        /// Marks the begin and end of a word in its trigrams; above the largest scalar, never a letter.
        static let wordBegin: UInt64 = 0x11_0000
        static let wordEnd: UInt64 = 0x11_0001

        var features: [UInt64] = []
        private var word: [UInt32] = []
        private var wordHash = StableHash.fnvOffset
        private var previousUnigram: UInt64? = nil

        init(capacity: Int) {
            features.reserveCapacity(capacity)
            word.reserveCapacity(32)
        }

        @inline(__always)
        static func tag(_ hash: UInt64, _ featureClass: FeatureClass) -> UInt64 {
            (hash & 0x3FFF_FFFF_FFFF_FFFF) | (featureClass.rawValue << 62)
        }

        mutating func read(_ utf8: UnsafeBufferPointer<UInt8>) {
            let table = TextFolding.table
            var index = 0
            let count = utf8.count
            while index < count {
                let lead = utf8[index]
                let scalar: UInt32
                if lead < 0x80 {
                    scalar = UInt32(lead)
                    index += 1
                } else {
                    (scalar, index) = HashEmbedder.decodeMultiByte(utf8, at: index)
                }
                let folded = scalar < TextFolding.tableBound ? table[Int(scalar)] : TextFolding.computeFold(scalar)
                if folded == TextFolding.separator {
                    finishWord()
                } else if folded != TextFolding.ignorable {
                    word.append(folded)
                    wordHash = StableHash.fnvStep(wordHash, folded)
                }
            }
            finishWord()
        }

        private mutating func finishWord() {
            guard !word.isEmpty else { return }
            let unigram = StableHash.mix(wordHash ^ 0x5EED_0001)
            features.append(Self.tag(unigram, .unigram))
            if let previous = previousUnigram {
                // Order matters: "forklift operator" and "operator forklift" are different bigrams.
                features.append(Self.tag(StableHash.mix(previous &* 0x9E37_79B9_7F4A_7C15 ^ unigram ^ 0x5EED_0002), .bigram))
            }
            previousUnigram = unigram
            var a = Self.wordBegin
            var b = UInt64(word[0])
            for i in 1...word.count {
                let c = i < word.count ? UInt64(word[i]) : Self.wordEnd
                features.append(Self.tag(StableHash.mix((a << 42 | b << 21 | c) ^ 0x5EED_0003), .trigram))
                a = b
                b = c
            }
            word.removeAll(keepingCapacity: true)
            wordHash = StableHash.fnvOffset
        }
    }

    /// Decodes the multi-byte UTF-8 sequence at `index`; an invalid one yields U+FFFD (a separator)
    /// and consumes one byte.
    @inline(__always)
    fileprivate static func decodeMultiByte(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = UInt32(utf8[index])
        let count = utf8.count
        @inline(__always) func continuation(_ offset: Int) -> UInt32? {
            let i = index + offset
            guard i < count, utf8[i] & 0xC0 == 0x80 else { return nil }
            return UInt32(utf8[i] & 0x3F)
        }
        if lead & 0xE0 == 0xC0, let c1 = continuation(1) {
            return ((lead & 0x1F) << 6 | c1, index + 2)
        }
        if lead & 0xF0 == 0xE0, let c1 = continuation(1), let c2 = continuation(2) {
            return ((lead & 0x0F) << 12 | c1 << 6 | c2, index + 3)
        }
        if lead & 0xF8 == 0xF0, let c1 = continuation(1), let c2 = continuation(2), let c3 = continuation(3) {
            return ((lead & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, index + 4)
        }
        return (0xFFFD, index + 1)
    }

    // MARK: - Projection

    /// Counts repeats (term frequency) in an open-addressing table, then adds each distinct feature's
    /// signed weight to its bucket. The table's slot order, and so the order of the additions, depends
    /// only on the features: the result is the same bits everywhere.
    private func project(_ features: [UInt64]) -> [Float] {
        let features = features.isEmpty ? [Self.noTokenFeature] : features
        var capacity = 16
        while capacity < features.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [UInt64](repeating: 0, count: capacity)
        var counts = [Int32](repeating: 0, count: capacity)
        for feature in features {
            // The mixed hash's high bits pick the slot (the low bits pick the bucket below).
            var slot = Int(truncatingIfNeeded: feature >> 40) & mask
            while counts[slot] != 0 && slots[slot] != feature { slot = (slot + 1) & mask }
            slots[slot] = feature
            counts[slot] += 1
        }

        var sums = [Double](repeating: 0, count: dims)
        for slot in 0..<capacity where counts[slot] != 0 {
            let feature = slots[slot]
            let weight = Self.classWeights[Int(feature >> 62)] * (1 + StableLog.ln(Int(counts[slot])))
            // Bucket from the low 32 bits (multiply-shift), sign from bit 32.
            let bucket = Int(truncatingIfNeeded: ((feature & 0xFFFF_FFFF) &* UInt64(dims)) >> 32)
            if feature >> 32 & 1 == 0 { sums[bucket] += weight } else { sums[bucket] -= weight }
        }
        var squares = 0.0
        for value in sums { squares += value * value }
        // Signed hashing can cancel every feature (two features, same bucket, opposite signs, same
        // weight); fall back to the no-token vector so the result is still a unit vector.
        guard squares > 0 else { return project([]) }
        let scale = 1 / squares.squareRoot()
        return sums.map { Float($0 * scale) }
    }
}

/// A hash that is the same in every process (unlike `Hasher`, which is seeded per process).
enum StableHash {
    static let fnvOffset: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a over one 32-bit unit (a scalar value), rather than its bytes: same spread, fewer steps.
    @inline(__always)
    static func fnvStep(_ hash: UInt64, _ unit: UInt32) -> UInt64 {
        (hash ^ UInt64(unit)) &* fnvPrime
    }

    /// The MurmurHash3 64-bit finaliser: every input bit affects every output bit.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }
}

/// Natural logarithm from IEEE basic operations only (exactly rounded on every platform), so term
/// weights do not depend on which libm, or which of its CPU-specific variants, a machine runs.
enum StableLog {
    private static let ln2 = 0.693_147_180_559_945_3
    /// `ln(n)` for the term frequencies that occur in practice.
    private static let table: [Double] = (0..<256).map { $0 == 0 ? 0 : compute(Double($0)) }

    @inline(__always)
    static func ln(_ n: Int) -> Double {
        n < table.count ? table[n] : compute(Double(n))
    }

    /// ln(x) for x ≥ 1: x = m · 2^k with m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172.
    static func compute(_ x: Double) -> Double {
        var m = x
        var k = 0.0
        while m >= 1.414_213_562_373_095_1 {
            m *= 0.5
            k += 1
        }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var term = s
        var sum = 0.0
        var denominator = 1.0
        // s^(2i+1)/(2i+1) < 1e-17 by i = 11 for |s| ≤ 0.172.
        for _ in 0..<12 {
            sum += term / denominator
            term *= s2
            denominator += 2
        }
        return k * ln2 + 2 * sum
    }
}
