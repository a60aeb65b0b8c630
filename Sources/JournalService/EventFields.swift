import LakehouseKit

/// The indexed fields of a stored (canonical) event, read without decoding its payload: what
/// recovery needs to rebuild the indexes and what a query checks a candidate against.
struct EventFields: Equatable {
    var id = ""
    var traceID = ""
    var type = ""
    var subject: String?

    init?(canonical: UnsafeRawBufferPointer) {
        var reader = JSONReader<CanonicalJSON.Refusal>(canonical)
        var fields = EventFields()
        do {
            try reader.readObject { (key, r) throws(CanonicalJSON.Refusal) in
                switch key {
                case "id": fields.id = try r.readString()
                case "trace_id": fields.traceID = try r.readString()
                case "type": fields.type = try r.readString()
                case "subject": fields.subject = try r.readString()
                default: try r.skipValue()
                }
            }
        } catch {
            return nil
        }
        self = fields
    }

    private init() {}
}
