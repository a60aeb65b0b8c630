/// A coding path as a chain from the leaf up: extending it costs one small allocation instead of
/// copying an array of existentials, and the array is only built when something asks (errors).
/// Used by the tree decoder and encoder of `JSONValue`s.
final class CodingPathLink {
    let key: any CodingKey
    let parent: CodingPathLink?

    init(_ key: any CodingKey, _ parent: CodingPathLink?) {
        self.key = key
        self.parent = parent
    }

    static func array(_ link: CodingPathLink?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = link
        while let current = node {
            keys.append(current.key)
            node = current.parent
        }
        return keys.reversed()
    }
}
